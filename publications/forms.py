from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from unact.images import validate_image_file

from .models import Publication
from .services import captions_check, pdf_inspect, video_check


class PublicationAdminForm(forms.ModelForm):
    """The admin form: the PDF and the cover are checked by their content, not their names."""

    # A plain file field: Django's ImageField would answer every bad image with one vague
    # message, while validate_image_file says what is wrong (not an image, SVG, too many pixels).
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
        validators=[validate_image_file],
        help_text=Publication._meta.get_field("cover").help_text,
    )

    class Meta:
        model = Publication
        fields = [
            "title", "slug", "kind", "summary", "description", "document", "video", "captions",
            "external_url", "cover",
            "publication_date", "unpublish_at", "countries", "language", "tags", "related_posts", "status",
        ]  # fmt: skip
        widgets = {
            "countries": forms.CheckboxSelectMultiple,
            "document": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,.pdf"}
            ),
            "video": forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
            "captions": forms.ClearableFileInput(attrs={"accept": "text/vtt,.vtt"}),
        }

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if isinstance(document, UploadedFile):
            pdf_inspect(upload=document)
        return document

    def clean_video(self):
        video = self.cleaned_data.get("video")
        if isinstance(video, UploadedFile):
            video_check(upload=video)
        return video

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if isinstance(captions, UploadedFile):
            captions_check(upload=captions)
        return captions

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("captions") and not cleaned.get("video"):
            self.add_error(
                "captions",
                forms.ValidationError(
                    _("Captions go with a video file: upload the video too."),
                    code="captions_without_video",
                ),
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # A refused PDF already says what is wrong; "upload a PDF or give a URL" would repeat it.
        errors = self._errors.get("document")
        if errors and len(errors) > 1:
            kept = [
                error
                for error in errors.as_data()
                if error.code != "file_or_url_required"
            ]
            self._errors["document"] = self.error_class(kept, renderer=self.renderer)
