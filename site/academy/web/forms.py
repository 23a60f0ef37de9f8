"""Reading typed values out of a posted form."""

from starlette.datastructures import FormData
from starlette.requests import Request

from academy.domain.errors import AcademyError
from academy.web.security import read_form


async def read_text_form(request: Request) -> FormData:
    """read_form() for a form that takes no files: any file sent is closed now.

    Nothing else closes a form's files, and a refused form still holds them.
    """
    try:
        form = await read_form(request)
    except AcademyError:
        # The form was parsed before it was refused; form() returns it again.
        await (await request.form()).close()
        raise
    await form.close()
    return form


def text(form: FormData, name: str) -> str:
    """A text field's value; "" when it is missing or was sent as a file.

    str() of an uploaded file is its repr, which would pass for typed text.
    """
    value = form.get(name)
    return value if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """Every text value sent under `name`, leaving out files."""
    return [value for value in form.getlist(name) if isinstance(value, str)]
