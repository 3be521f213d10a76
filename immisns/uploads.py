"""Uploads are refused by their size before they are read into memory (settings.FILE_UPLOAD_HANDLERS).

First in the list of upload handlers:
- a request that declares a body larger than UPLOAD_MAX_REQUEST_BYTES is
  answered 400 before any of it is parsed;
- a file whose declared or streamed size passes UPLOAD_MAX_FILE_BYTES is
  skipped as it streams (Django's own handlers then keep nothing of it), and
  its field is noted on the request (read with refused_uploads(request)) so
  the form can say which one and why, keeping everything else that was typed.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

# Kept on the request itself: the handler and the view see the same request and nothing else.
_REFUSED = "refused_uploads"


def refused_uploads(request: HttpRequest) -> dict[str, int]:
    """The file fields refused for their size on this request, with the size seen (bytes)."""
    return getattr(request, _REFUSED, {})


def _note_refused(request: HttpRequest, refused: dict[str, int]) -> None:
    setattr(request, _REFUSED, refused)


class SizeLimitUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            raise RequestDataTooBig("The request is larger than UPLOAD_MAX_REQUEST_BYTES.")
        if self.request is not None:
            _note_refused(self.request, {})
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.received = 0
        if content_length and content_length > settings.UPLOAD_MAX_FILE_BYTES:
            self._refuse(content_length)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_FILE_BYTES:
            self._refuse(self.received)
        return raw_data  # on to Django's memory or temporary-file handler

    def file_complete(self, file_size):
        return None

    def _refuse(self, size: int):
        if self.request is not None:
            _note_refused(self.request, {**refused_uploads(self.request), self.field_name: size})
        raise SkipFile
