"""What the running bot needs to operate: its runtime (leadership, health), the HTTP server
for /healthz and /metrics, start-up retries, opening the database, metrics and KPI reports."""
