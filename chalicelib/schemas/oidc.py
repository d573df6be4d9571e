"""Single sign-on's routes: the providers offered, and the query strings of the start and the
provider's callback (which providers extend with parameters of their own: those are ignored)."""
from pydantic import BaseModel, ConfigDict, Field


class ProviderOut(BaseModel):
    id: str
    name: str = Field(description="What the sign-in page's button says: Sign in with <name>")
    start_url: str = Field(description="Where the button goes: the start of a sign-in with this provider")


class ProviderList(BaseModel):
    providers: list[ProviderOut]


class StartQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    return_to: str | None = Field(default=None, description="A path of this app to come back to once signed in "
                                                            "(default `/`); anything else, another site "
                                                            "included, is replaced by `/`")


class CallbackQuery(BaseModel):
    """What the provider sends the browser back with (RFC 6749, 4.1.2)."""
    model_config = ConfigDict(extra="ignore")
    code: str | None = Field(default=None, description="The authorization code")
    state: str | None = Field(default=None, description="The state the start gave the provider")
    error: str | None = Field(default=None, description="Set by the provider instead of a code when it refused")
    iss: str | None = Field(default=None, description="The provider's issuer (RFC 9207), when it says it: it must "
                                                      "be the provider's own")
