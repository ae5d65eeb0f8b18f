"""Pages, API and files of answering an assessment (signed in or through a link)."""
