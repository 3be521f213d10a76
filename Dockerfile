# Production image: gunicorn web, Celery worker and beat share it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput
RUN useradd --system --home /app immisns && mkdir -p /app/var && chown immisns /app/var
USER immisns
EXPOSE 8000
CMD ["gunicorn", "immisns.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
