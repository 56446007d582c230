"""The reference row of bench:latency: a REST read of one graph the way NEPHELE's SMO serves it (Flask, SQLAlchemy
ORM models, under gunicorn), reading the rows smo wrote to the same PostgreSQL schema. Not part of smo.

    SMO_BENCH_PG_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/test SMO_BENCH_PG_SCHEMA=s \
      gunicorn -b 127.0.0.1:8000 --chdir bench/latency rest_app:app

GET /graphs/NAME answers the graph row and its service rows as JSON (404 if absent); GET /healthz answers without
touching the database, the REST counterpart of grpc.health.v1.Health/Check.
"""
import os
import re

from flask import Flask, abort, jsonify
from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Integer, String, create_engine
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base, relationship, scoped_session, sessionmaker

SCHEMA = os.environ.get("SMO_BENCH_PG_SCHEMA", "public")
# The schema name goes into a connection option, not a statement; still, accept identifiers only.
if not re.fullmatch(r"[a-z_][a-z0-9_]*", SCHEMA):
    raise SystemExit(f"bad SMO_BENCH_PG_SCHEMA: {SCHEMA!r}")

engine = create_engine(
    os.environ.get("SMO_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"),
    connect_args={"options": f"-c search_path={SCHEMA}"},
)
Session = scoped_session(sessionmaker(bind=engine))
Base = declarative_base()


class Graph(Base):
    __tablename__ = "graphs"
    name = Column(String, primary_key=True)
    project = Column(String)
    status = Column(String)
    version = Column(String)
    descriptor = Column(JSONB)
    strategy = Column(String)
    dashboard_url = Column(String)
    message = Column(String)
    warnings = Column(JSONB)
    created_at = Column(DateTime(timezone=True))
    updated_at = Column(DateTime(timezone=True))
    services = relationship("Service", lazy="selectin", order_by="Service.name")


class Service(Base):
    __tablename__ = "services"
    graph = Column(String, ForeignKey("graphs.name"), primary_key=True)
    name = Column(String, primary_key=True)
    status = Column(String)
    cluster = Column(String)
    desired_replicas = Column(Integer)
    cpu = Column(Float)
    memory_bytes = Column(BigInteger)
    storage_bytes = Column(BigInteger)
    gpu = Column(Integer)
    artifact = Column(String)
    event_triggered = Column(Boolean)
    min_replicas = Column(Integer)
    max_replicas = Column(Integer)


app = Flask(__name__)


@app.teardown_appcontext
def _release(_exc):
    Session.remove()


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/graphs/<name>")
def get_graph(name):
    graph = Session.get(Graph, name)
    if graph is None:
        abort(404)
    columns = lambda row: {c.name: getattr(row, c.name) for c in row.__table__.columns}  # noqa: E731
    body = columns(graph)
    body["created_at"] = graph.created_at.isoformat()
    body["updated_at"] = graph.updated_at.isoformat()
    body["services"] = [columns(s) for s in graph.services]
    body["placement"] = {s.name: s.cluster for s in graph.services}
    return jsonify(body)
