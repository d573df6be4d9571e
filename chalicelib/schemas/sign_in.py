"""Request and response shapes of signing in by email code and link."""
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from chalicelib.domain.accounts import CODE_DIGITS
from chalicelib.schemas.common import Strict, omittable
from chalicelib.schemas.people import Email

Code = Annotated[str, StringConstraints(pattern=rf"^[0-9]{{{CODE_DIGITS}}}$")]
# A link token is token_urlsafe(32): 43 characters; anything else was never issued.
LinkToken = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
ReturnTo = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class SignInEmail(Strict):
    email: Email = Field(description="Where to send the code; the same answer whether an account has it or not")
    return_to: ReturnTo | None = omittable("A path of this app the emailed link returns to after signing in "
                                           "(anything but a path here is ignored)")


class SignInStarted(BaseModel):
    expires_in: int = Field(description="Seconds the code and the link work")
    code_length: int = Field(description="Digits in the code")


class SignInCode(Strict):
    code: Code = Field(description="The code emailed, in the browser that asked for it (its pending cookie)")


class SignInLink(Strict):
    token: LinkToken = Field(description="The token in the link's fragment (`#link=<token>`)")
