"""No models: only the name the frozen migration 0001 gave the allowed domain's validator.

moderation/migrations/0001_initial.py imports moderation.models and names
moderation.models.validate_domain; migrations are never edited, so the name
stays here. The validator itself belongs to the checks (checks.models).
"""

from checks.models import validate_domain  # noqa: F401 - named by migrations/0001_initial.py
