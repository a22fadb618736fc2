"""rlvrc's rewards for verl (issue 17): the scores come from the reward server the rlvrc program runs.

Standard library only. The server's URL is read from the environment variable RLVRC_REWARD_URL at each
call: ``http://127.0.0.1:PORT/score`` (TCP) or ``unix:///path/to.sock`` (a Unix socket).

verl config::

    custom_reward_function.path=/path/to/rlvrc_reward.py
    custom_reward_function.name=compute_score          # one sample per call (verl's naive manager)
    # or name=compute_score_batch with reward_model.use_reward_loop=false and
    # reward_model.reward_manager=batch (verl's BatchRewardManager)

``extra_info`` must carry ``prompt_id`` (a string); ``step`` and ``sample_index`` when the reward draws
random numbers; ``majority_label`` when it reads one. A reward is never defaulted: an unreachable server
(after a few retries), a rejected request (HTTP 400) or a malformed reply raises RewardServerError, a
RuntimeError, naming the URL. Scores are pure functions of the request, so a retried request is safe.

Optional environment: RLVRC_REWARD_CELL (the cell id; the server refuses requests for another cell),
RLVRC_REWARD_RETRIES (connection attempts, default 6), RLVRC_REWARD_BACKOFF (first wait in seconds,
doubling, default 0.2), RLVRC_REWARD_TIMEOUT (seconds per request, default 600).
"""

import http.client
import json
import os
import socket
import threading
import time
import urllib.parse

URL_ENV = "RLVRC_REWARD_URL"

__all__ = ["compute_score", "compute_score_batch", "score_requests", "RewardServerError", "URL_ENV"]


class RewardServerError(RuntimeError):
    """The reward server could not be reached, refused the request, or replied with something else than scores."""

    def __init__(self, message, url=None, status=None):
        super().__init__(message)
        self.url = url
        self.status = status


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _env_number(name, default, kind):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise RewardServerError("%s=%r is not a number" % (name, raw))


def _target(url):
    """(connection factory, request path) for a URL."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "unix":
        path = urllib.parse.unquote(parsed.path)
        if not path:
            raise RewardServerError("%s=%r names no socket path (unix:///path/to.sock)" % (URL_ENV, url), url)
        return (lambda timeout: _UnixHTTPConnection(path, timeout)), "/score"
    if parsed.scheme == "http":
        if not parsed.hostname or not parsed.port:
            raise RewardServerError("%s=%r needs a host and a port (http://127.0.0.1:PORT/score)" % (URL_ENV, url), url)
        host, port = parsed.hostname, parsed.port
        return (lambda timeout: http.client.HTTPConnection(host, port, timeout=timeout)), (parsed.path or "/score")
    raise RewardServerError("%s=%r: the scheme must be http or unix" % (URL_ENV, url), url)


# One kept-alive connection per thread and URL: verl may call from several threads at once.
_local = threading.local()


def _connection(url, factory, timeout):
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    conn = conns.get(url)
    if conn is None:
        conn = conns[url] = factory(timeout)
    return conn


def _drop(url):
    conns = getattr(_local, "conns", None)
    if conns and url in conns:
        try:
            conns.pop(url).close()
        except OSError:
            pass


# Failures to reach the server (not yet listening, gone, or a kept-alive connection it closed): retried.
_UNREACHABLE = (ConnectionError, FileNotFoundError, socket.timeout, http.client.RemoteDisconnected,
                http.client.BadStatusLine, http.client.CannotSendRequest, http.client.ResponseNotReady)


def _jsonable(value):
    """numpy scalars and arrays (what verl's non_tensor_batch holds) as plain Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError("%r (%s) cannot be sent to the reward server" % (value, type(value).__name__))


def score_requests(requests, url=None):
    """Scores a list of requests ({data_source, solution_str, ground_truth, extra_info}) in one POST; floats in order."""
    url = url or os.environ.get(URL_ENV)
    if not url:
        raise RewardServerError("%s is not set: the rlvrc program that launched verl sets it to its reward server" % URL_ENV)
    factory, path = _target(url)
    attempts = max(1, _env_number("RLVRC_REWARD_RETRIES", 6, int))
    backoff = _env_number("RLVRC_REWARD_BACKOFF", 0.2, float)
    timeout = _env_number("RLVRC_REWARD_TIMEOUT", 600.0, float)
    payload = {"requests": list(requests)}
    cell = os.environ.get("RLVRC_REWARD_CELL")
    if cell:
        payload["cell"] = cell
    try:
        body = json.dumps(payload, default=_jsonable).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise RewardServerError("the reward request cannot be encoded as JSON: %s" % e, url)
    last = None
    for attempt in range(attempts):
        conn = _connection(url, factory, timeout)
        try:
            conn.request("POST", path, body=body, headers={"content-type": "application/json"})
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except _UNREACHABLE as e:
            _drop(url)
            last = e
            if attempt + 1 < attempts:
                time.sleep(backoff * (2 ** attempt))
            continue
        except OSError as e:
            _drop(url)
            raise RewardServerError("rlvrc reward server at %s: %s: %s" % (url, type(e).__name__, e), url)
        return _scores(url, status, raw, len(payload["requests"]))
    raise RewardServerError("rlvrc reward server at %s is unreachable (%d attempts): %s: %s; is the rlvrc program that started verl still running?"
                            % (url, attempts, type(last).__name__, last), url)


def _scores(url, status, raw, expected):
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        reply = None
    if status != 200:
        message = reply.get("error") if isinstance(reply, dict) else None
        raise RewardServerError("rlvrc reward server at %s refused the request (HTTP %d): %s" % (url, status, message or raw[:500].decode("utf-8", "replace")), url, status)
    scores = reply.get("scores") if isinstance(reply, dict) else None
    if not isinstance(scores, list) or len(scores) != expected or not all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in scores):
        raise RewardServerError("rlvrc reward server at %s replied without %d scores: %r" % (url, expected, raw[:500]), url, status)
    return [float(s) for s in scores]


# The extra_info keys the server reads; verl adds others of its own (num_turns, rollout_reward_scores,
# tool fields) that need not be JSON-encodable, so only these are sent.
_EXTRA_KEYS = ("prompt_id", "step", "sample_index", "majority_label", "example")


def _request(data_source, solution_str, ground_truth, extra_info):
    extra = {} if extra_info is None else {k: extra_info[k] for k in _EXTRA_KEYS if k in extra_info}
    return {"data_source": data_source, "solution_str": solution_str, "ground_truth": ground_truth, "extra_info": extra}


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """verl's custom reward function: the score of one response (a batch of one)."""
    return score_requests([_request(data_source, solution_str, ground_truth, extra_info)])[0]


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **_kwargs):
    """verl's batch reward function (BatchRewardManager): the scores of many responses in one request."""
    n = len(solution_strs)
    if extra_infos is None:
        extra_infos = [None] * n
    if not (len(data_sources) == len(ground_truths) == len(extra_infos) == n):
        raise ValueError("compute_score_batch: %d data_sources, %d solution_strs, %d ground_truths, %d extra_infos"
                         % (len(data_sources), n, len(ground_truths), len(extra_infos)))
    return score_requests([_request(d, s, g, x) for d, s, g, x in zip(data_sources, solution_strs, ground_truths, extra_infos)])
