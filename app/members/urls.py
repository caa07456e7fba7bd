from django.urls import path

from app.members import views

urlpatterns = [
    path("users/me/", views.MeView.as_view(), name="user-me"),
    path("users/me/data/", views.MyDataView.as_view(), name="me-data"),
]
