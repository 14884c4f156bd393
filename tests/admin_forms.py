"""The data a browser would send from an admin change form, read from its HTML."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._textarea = self._select = None
        self._select_values, self._first_option = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.data and self._is_wanted(attrs.get("id") or ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append(
                (name, attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._select_values, self._first_option = name, [], None
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self._select_values.append(attrs.get("value", ""))

    def _is_wanted(self, form_id):
        # The change form, not the header's log-out form.
        return form_id == self.form_id if self.form_id else form_id.endswith("_form")

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            name, value = self._textarea
            self.data.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select:
            values = self._select_values or (
                [] if self._multiple else [self._first_option or ""]
            )
            self.data.extend((self._select, value) for value in values)
            self._select = None


def form_data(html, form_id=None, **changes):
    """{name: value or [values]} of the form with form_id (else the admin's change form), with changes."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    data = {
        name: values[0] if len(values) == 1 else values for name, values in data.items()
    }
    data.update(changes)
    return data


def change_form_data(client, url, **changes):
    """What the admin's change form at url sends when saved with these fields changed."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return form_data(response.content.decode(), None, **changes)
