"""immisns.row_values: one UPDATE giving each row its own value."""

import pytest

from accounts.models import Office
from immisns.row_values import by_id


@pytest.mark.django_db
def test_each_named_row_gets_its_value_and_others_keep_theirs() -> None:
    first, second, third = Office.objects.order_by("pk")[:3]
    names = {first.pk: "東京（改）", second.pk: '大阪\'s "office" %s'}  # quotes and a placeholder are data
    updated = Office.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(
        name_ja=by_id(Office, "name_ja", names)
    )
    assert updated == 3
    after = dict(Office.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "name_ja"))
    assert after == {first.pk: "東京（改）", second.pk: '大阪\'s "office" %s', third.pk: third.name_ja}
