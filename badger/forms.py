"""Forms shared across domains (a bare CSRF-protected form for POST buttons)."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token: for buttons that POST an action."""
