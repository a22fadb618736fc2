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

__all__ = ["compute_score", "compute_score_batch", "score_requests", "RlvrcRewardManager", "RewardServerError", "URL_ENV",
           "WHITEN_ESTIMATOR", "grpo_whiten_advantage"]


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
_EXTRA_KEYS = ("prompt_id", "step", "sample_index", "majority_label", "example", "split", "group")


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


# ---- the group-level reward manager ----------------------------------------------------------------------
#
# verl's batch-level reward managers (verl/workers/reward_manager/, loaded by verl/trainer/ppo/reward.py's
# load_reward_manager with reward_manager.source=importlib) are called with a whole DataProto: every response
# of a step, with its prompt group (non_tensor_batch["uid"]) and the step (meta_info["global_steps"]). That is
# what a per-sample compute_score cannot see, and what random rewards (drawn from step, prompt and sample
# index) and online majority labels (voted within the group) need. Duck-typed to verl's AbstractRewardManager
# (read at the pinned commit, not run here): it imports nothing from verl, and torch only when called.


def sample_indices(groups, texts):
    """Each response's index within its group, by a rule that does not depend on the batch's order.

    trainer.balance_batch reorders a step's batch before rewards, so a response's position within its group
    is not its generation order. Here responses are ranked within their group by text (ties keep batch
    order: identical texts are interchangeable, since equal token sequences get the same gradient whatever
    coin each draws)."""
    by_group = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    out = [0] * len(texts)
    for members in by_group.values():
        for rank, i in enumerate(sorted(members, key=lambda j: texts[j])):
            out[i] = rank
    return out


def _plain(value):
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


class RlvrcRewardManager:
    """verl reward manager that scores a whole batch through the rlvrc reward server in one request.

    verl config (keys of verl's ppo_trainer at the pinned commit)::

        reward_model.use_reward_loop: false
        reward_manager: {source: importlib, name: RlvrcRewardManager, module: {path: /path/to/rlvrc_reward.py}}

    Training rows (extra_info.split == "train") are sent with the step (data.meta_info["global_steps"]), the
    sample's index within its group (sample_indices) and the group (the row's uid), so the server can draw
    random rewards and vote online majority labels; validation rows are graded by the server against their
    label. The reward goes on the last response token, as verl's own managers put it. Returns, besides the
    scores, data_source and prompt_id as reward extra infos, so verl's validation dump names each row's eval
    and prompt (rlvrc regrades that dump)."""

    def __init__(self, tokenizer, num_examine=0, compute_score=None, reward_fn_key="data_source", **kwargs):
        self.tokenizer = tokenizer
        self.num_examine = num_examine
        self.reward_fn_key = reward_fn_key

    def __call__(self, data, return_dict=False):
        import torch

        batch = data.batch
        responses = batch["responses"]
        prompt_length = batch["prompts"].shape[-1]
        n = responses.shape[0]
        non_tensor = data.non_tensor_batch
        texts, lengths = [], []
        for i in range(n):
            length = int(batch["attention_mask"][i][prompt_length:].sum())
            lengths.append(length)
            texts.append(self.tokenizer.decode(responses[i][:length], skip_special_tokens=True))
        extras = [dict(non_tensor["extra_info"][i] or {}) for i in range(n)]
        groups = [str(_plain(g)) for g in non_tensor["uid"]] if "uid" in non_tensor else [str(i) for i in range(n)]
        indices = sample_indices(groups, texts)
        step = data.meta_info.get("global_steps") if getattr(data, "meta_info", None) is not None else None
        requests = []
        for i in range(n):
            extra = extras[i]
            if extra.get("split", "train") == "train":
                if step is None:
                    raise RewardServerError("RlvrcRewardManager: the training batch carries no meta_info['global_steps']; random rewards need the step (is this the verl commit rlvrc was built for?)")
                extra["step"] = int(_plain(step))
                extra["sample_index"] = indices[i]
                extra["group"] = groups[i]
            gt = non_tensor["reward_model"][i]["ground_truth"]
            if gt is None or extra.get("has_label") is False:
                gt = None  # unlabelled data: the Parquet row holds '' and has_label false, never a made-up label
            requests.append(_request(str(_plain(non_tensor[self.reward_fn_key][i])), texts[i], None if gt is None else str(_plain(gt)), extra))
        scores = score_requests(requests)
        reward_tensor = torch.zeros_like(responses, dtype=torch.float32)
        for i, (score, length) in enumerate(zip(scores, lengths)):
            if length > 0:
                reward_tensor[i, length - 1] = score
        if return_dict:
            return {
                "reward_tensor": reward_tensor,
                "reward_extra_info": {
                    "data_source": [r["data_source"] for r in requests],
                    "prompt_id": [str(r["extra_info"].get("prompt_id")) for r in requests],
                },
            }
        return reward_tensor


# ---- the paper's advantages: GRPO's group normalisation, then whitening over the batch's tokens -----------
#
# The paper's runs (OpenRLHF) normalise each group, (r - mean) / (std + eps), then whiten the advantages over
# the whole rollout batch in the replay buffer, token-weighted: (a - mu) * rsqrt(max(var, 1e-8)), with mu and
# the biased var over every response token. verl's grpo estimator stops after the group step, so this module
# registers an estimator that does both under the name WHITEN_ESTIMATOR (algorithm.adv_estimator). verl
# imports this file in its TaskRunner when it loads the reward manager (load_reward_manager), before fit()
# computes the first advantage in that same process; custom names reach core_algos.get_adv_estimator_fn
# (ray_trainer.compute_advantage's last branch). Read in verl's code at the pinned commit, not run there.

WHITEN_ESTIMATOR = "rlvrc_grpo_whiten"
# verl's GRPO epsilon (compute_grpo_outcome_advantage's default; rlvrc's RLVR7005 says where it differs).
GROUP_EPSILON = 1e-6


def grpo_whiten_advantage(token_level_rewards, response_mask, index=None, config=None, **_kwargs):
    """Group-normalised (or centred, when config.norm_adv_by_std_in_grpo is false) outcome advantages, then
    whitened over the batch's response tokens. Returns (advantages, returns), both (bs, response_length)."""
    import torch

    scores = token_level_rewards.sum(dim=-1)
    if index is None:
        raise ValueError("%s needs the prompt groups (non_tensor_batch['uid'])" % WHITEN_ESTIMATOR)
    norm = True if config is None else bool(getattr(config, "norm_adv_by_std_in_grpo", True))
    with torch.no_grad():
        groups = {}
        for i in range(scores.shape[0]):
            groups.setdefault(index[i], []).append(i)
        adv = torch.zeros_like(scores)
        for members in groups.values():
            group = scores[members]
            mean = group.mean()
            std = group.std() if len(members) > 1 else torch.tensor(0.0, dtype=scores.dtype)
            adv[members] = (group - mean) / (std + GROUP_EPSILON) if norm else group - mean
        mask = response_mask.to(adv.dtype)
        tokens = adv.unsqueeze(-1) * mask
        n = mask.sum()
        if n > 0:
            mu = tokens.sum() / n
            var = (((adv.unsqueeze(-1) - mu) ** 2) * mask).sum() / n
            tokens = (adv.unsqueeze(-1) - mu) * torch.rsqrt(torch.clamp(var, min=1e-8)) * mask
    return tokens, tokens


def _register_estimators():
    try:
        from verl.trainer.ppo.core_algos import register_adv_est
    except ImportError:  # outside verl (the tests, the reward server's clients): nothing to register into
        return
    try:
        register_adv_est(WHITEN_ESTIMATOR)(grpo_whiten_advantage)
    except ValueError:  # already registered (the module imported twice): the registry keeps the first
        pass


_register_estimators()
