# The app image: a wheel install (templates, static files and questionnaires travel with it).
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY survey ./survey
COPY questionnaires ./questionnaires
COPY templates ./templates
COPY static ./static
RUN pip install . && useradd --create-home survey
USER survey
EXPOSE 8000
# Migrate, then serve. Several containers may run this: the migration takes a PostgreSQL advisory
# lock, so they take turns.
CMD ["sh", "-c", "survey db upgrade && survey serve --host 0.0.0.0 --port 8000 --workers 2"]
