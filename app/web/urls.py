"""The members' pages. The two e-mail links (`/activate`, `/reset-password`) have no trailing slash:
they are the defaults of ACTIVATION_URL and FORGOT_PASSWORD_URL."""

from django.urls import path

from app.web.views import account, account_retreats, account_self, auth, reminders, retreats, sessions, store, week

urlpatterns = [
    path("", sessions.home, name="home"),
    path("sessions/", sessions.sessions, name="sessions"),
    path("sessions/<int:slot_id>/reserve/", sessions.reserve, name="reserve"),
    path("sessions/<int:slot_id>/reserve/confirm/", week.confirm_reserve, name="confirm-reserve"),
    path("sessions/<int:slot_id>/waitlist/", week.join_waitlist, name="join-waitlist"),
    path("account/waitlist/<int:slot_id>/leave/", week.leave_waitlist, name="leave-waitlist"),
    path("account/waitlist/<int:entry_id>/decline/", week.decline_offer, name="decline-offer"),
    path("account/reservations/<int:reservation_id>/cancel/confirm/", week.confirm_cancel, name="confirm-cancel"),
    path("account/reservations/<int:reservation_id>/move/", week.move, name="move-reservation"),
    path("account/calendar-feed/", week.calendar_feed, name="account-calendar-feed"),
    path("account/reminders/", week.reminders_setting, name="account-reminders"),
    path("signup/", auth.signup, name="signup"),
    path("signup/done/", auth.signup_done, name="signup-done"),
    path("activate", auth.activate, name="activate"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("reset-password", auth.reset_password, name="reset-password"),
    path("account/", account.account, name="account"),
    path("account/email/", account_self.change_email, name="change-email"),
    path("confirm-email", account_self.confirm_email, name="confirm-email"),
    path("account/data/", account_self.my_data, name="my-data"),
    path("account/close/", account_self.close_account, name="close-account"),
    path("account/reservations/", account.reservations, name="reservations"),
    path("account/reservations/<int:reservation_id>/cancel/", account.cancel, name="cancel-reservation"),
    path("reminders/off/<str:token>/", reminders.reminders_off, name="reminders-off"),
    path("store/", store.store_page, name="store"),
    path("store/checkout/", store.checkout, name="checkout"),
    path("account/orders/", store.orders, name="orders"),
    path("account/cards/<int:card_id>/delete/", store.delete_card, name="delete-card"),
    path("retreats/", retreats.retreat_list, name="retreats"),
    path("retreats/<int:retreat_id>/", retreats.retreat_detail, name="retreat"),
    path("retreats/invitation/<str:token>/", retreats.invitation_page, name="retreat-invitation"),
    path("account/retreats/", account_retreats.my_retreats, name="account-retreats"),
    path("account/retreats/<int:reservation_id>/cancel/", account_retreats.cancel_seat, name="cancel-retreat"),
    path("account/retreats/<int:reservation_id>/join/", account_retreats.join, name="join-retreat"),
]
