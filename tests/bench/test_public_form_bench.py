"""The public-form benchmark measures the request it is about: an accepted story, not a refusal.

It once measured "Kies een taal." for months of runs: the form had gained a required field.
"""

from __future__ import annotations

import pytest

from bench import public_form


@pytest.mark.slow
def test_the_benchmarks_form_is_accepted_without_photos_and_a_refusal_is_not_measured(tmp_path):
    answer = public_form.worker([], str(tmp_path))
    assert answer["status"] == 302, answer
    with pytest.raises(RuntimeError, match="verwacht 302"):
        public_form._expect({"status": 400, "answer": "Kies een taal."}, 302, "het verzoek")
