from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.monthly_report, name="monthly"),
    path("report.csv", views.monthly_report_csv, name="csv"),
]
