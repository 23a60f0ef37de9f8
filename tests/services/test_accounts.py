"""Account rules the service applies: names cleaned before they are saved."""

import pytest

from academy.domain.errors import Invalid
from academy.services.accounts import clean_name


def test_clean_name_folds_space_and_raises_with_the_field() -> None:
    assert clean_name("  Ana \t  Silva ") == "Ana Silva"
    with pytest.raises(Invalid) as caught:
        clean_name("\u200b")
    assert "letter" in caught.value.fields["name"]
