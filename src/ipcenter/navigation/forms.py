"""Forms of the navigation pages. They only shape input; the selectors and services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ipcenter.lib.errors import InvalidInput
from ipcenter.navigation.display import LANGUAGE_NAMES
from ipcenter.navigation.selectors import CorpusQuery, ipc_prefix
from ipcenter.navigation.services import UPLOAD_SUFFIXES
from ipcenter.web.forms import DateInput

MODE_CHOICES = (
    ("hybrid", _("Hybrid (keywords and meaning)")),
    ("bm25", _("Keywords (BM25)")),
    ("dense", _("Meaning (semantic, across languages)")),
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. 无人机 battery, or title:drone AND ipc:B64C pd:2015..2020")
            }
        ),
    )
    like = forms.CharField(
        label=_("Find documents like this text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("Paste a claim, an abstract or a product text")}
        ),
    )
    mode = forms.ChoiceField(label=_("Ranking"), choices=MODE_CHOICES, required=False)
    office = forms.ChoiceField(label=_("Office"), required=False)
    ipc = forms.CharField(
        label=_("IPC prefix"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "A01B"}),
    )
    published_from = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    published_to = forms.DateField(label=_("Published to"), required=False, widget=DateInput())
    lang = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(
        self, data: Any = None, *, offices: list[str], languages: list[str], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["office"].choices = any_choice + [(o, o) for o in offices]  # type: ignore[attr-defined]
        self.fields["lang"].choices = any_choice + [  # type: ignore[attr-defined]
            (code, LANGUAGE_NAMES.get(code, code)) for code in languages
        ]

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("office", "ipc", "lang", "published_from", "published_to")]

    def clean_ipc(self) -> str:
        text: str = self.cleaned_data.get("ipc") or ""
        if not text.strip():
            return ""
        try:
            return ipc_prefix(text)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end date is before the start date."))
        return cleaned

    def has_query(self) -> bool:
        """Whether there is something to search: words, a text, or only filters (the documents
        of an IPC class, say, as the IPC browser links to them)."""
        query = self.corpus_query()
        return not query.is_empty or not query.filters().is_empty()

    def corpus_query(self) -> CorpusQuery:
        data = self.cleaned_data
        return CorpusQuery(
            q=data.get("q") or "",
            like=data.get("like") or "",
            mode=data.get("mode") or "hybrid",
            offices=(data["office"],) if data.get("office") else (),
            ipc=(data["ipc"],) if data.get("ipc") else (),
            languages=(data["lang"],) if data.get("lang") else (),
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Corpus file"),
        help_text=_(
            "JSON Lines, CSV (Lens, PatentsView, Patentscope exports), USPTO XML or a ZIP of them."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
