"""Forms for signing in and changing the own password."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Inloggen")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Huidig wachtwoord",
        validators=[DataRequired("Vul uw huidige wachtwoord in."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "Nieuw wachtwoord",
        description="Minstens 12 tekens. Een zin van een paar woorden is sterk en goed te onthouden.",
        validators=[DataRequired("Kies een nieuw wachtwoord."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Herhaal nieuw wachtwoord",
        validators=[
            DataRequired("Herhaal het nieuwe wachtwoord."),
            EqualTo("new_password", "De twee wachtwoorden zijn niet gelijk."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Wachtwoord wijzigen")
