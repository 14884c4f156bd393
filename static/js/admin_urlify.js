// The admin's slug from a title (prepopulated_fields), keeping the vowel signs and tone
// marks of Thai, Lao, Khmer and Burmese. Django's URLify (admin/js/urlify.js) keeps
// letters and digits of any script for a Unicode slug but drops marks (\p{M}), which
// turns "ง่ายนิดเดียว" into another word. This is the same function with marks kept, as
// unact.editions.edition_slugify does on the server. Installed once every script has
// run (this file may load before urlify.js); prepopulate.js looks URLify up when a key
// is pressed.
document.addEventListener("DOMContentLoaded", function () {
    "use strict";
    const djangoURLify = window.URLify;
    window.URLify = function (text, numChars, allowUnicode) {
        if (!allowUnicode) {
            return djangoURLify(text, numChars, allowUnicode);
        }
        const slug = text
            .normalize("NFC")
            .toLowerCase()
            .replace(/[^-_\p{L}\p{M}\p{N}\s]/gu, "")
            .trim()
            .replace(/[-\s]+/g, "-");
        return slug.substring(0, numChars).replace(/-+$/g, "");
    };
});
