"""Forms for signing in and changing the own password."""

from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm


class LoginForm(BaseForm):
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


class ChangePasswordForm(BaseForm):
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


class CodeForm(BaseForm):
    """The second step of signing in: a code from the app or a recovery code."""

    code = StringField(
        "Code",
        description="De zes cijfers uit uw authenticator-app. Geen telefoon bij de hand? "
                    "Typ dan een van uw herstelcodes.",
        validators=[DataRequired("Vul de code in."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                   "spellcheck": "false"},
    )
    submit = SubmitField("Controleren")


class ConfirmTotpForm(BaseForm):
    """Confirm a new authenticator app with the code it shows."""

    code = StringField(
        "Code uit de app",
        description="De zes cijfers die de app laat zien nadat u de QR-code hebt gescand.",
        validators=[DataRequired("Vul de code uit de app in."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class PasswordConfirmForm(BaseForm):
    """Ask the own password again before a change to the second factor."""

    password = PasswordField(
        "Uw wachtwoord",
        validators=[DataRequired("Vul uw wachtwoord in."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class DisableMfaForm(PasswordConfirmForm):
    code = StringField(
        "Code uit de app of herstelcode",
        validators=[DataRequired("Vul een code in."), Length(max=40)],
        render_kw={"autocomplete": "one-time-code"},
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(
        "E-mailadres",
        validators=[DataRequired("Vul uw e-mailadres in."),
                    Email("Dit is geen geldig e-mailadres.", check_deliverability=False), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField("Stuur mij een link")


class SetPasswordForm(BaseForm):
    new_password = PasswordField(
        "Nieuw wachtwoord",
        description="Minstens 12 tekens. Een zin van een paar woorden is sterk en goed te onthouden.",
        validators=[DataRequired("Kies een wachtwoord."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[DataRequired("Herhaal het wachtwoord."),
                    EqualTo("new_password", "De twee wachtwoorden zijn niet gelijk.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Wachtwoord instellen")
