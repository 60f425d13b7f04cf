FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY tracker ./tracker
COPY jurisdictions ./jurisdictions
COPY seeds ./seeds
COPY manage.py gunicorn.conf.py ./
RUN pip install --no-cache-dir . && useradd --create-home app && mkdir -p var && chown app var
USER app
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
