from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("policy/v<int:number>/", views.policy_version, name="policy_version"),
    path("official-accounts/", views.official_accounts, name="official_accounts"),
    path("official-accounts.json", views.official_accounts_json, name="official_accounts_json"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency.json", views.transparency_json, name="transparency_json"),
]
