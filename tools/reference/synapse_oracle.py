"""A plain-Python re-statement of NEST 3.10's plastic synapses, written from reading NEST's
source (see /work/helper-notes/nest-synapse-semantics.md or docs), used to check that reading
against the committed reference data (tests/validation/test_synapse_oracle.py).

Not used by spikedesk; the engine implements the models in C++. Each function takes the
presynaptic spike times (ms, the stamps NEST's weight_recorder reports), the postsynaptic
``Post`` archive, the connection's delay and parameters, and returns the weight transmitted
with every presynaptic spike (what the weight_recorder records), and the final weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

EPS = 1e-6  # NEST's kernel property stdp_eps


@dataclass
class Post:
    """The postsynaptic archive: every post spike with Kminus and Kminus_triplet just after it
    (ArchivingNode::set_spiketime; last_spike starts at -1, the traces at 0)."""

    times: list[float]
    tau_minus: float = 20.0
    tau_minus_triplet: float = 110.0
    entries: list[tuple[float, float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        k = kt = 0.0
        last = -1.0
        for t in self.times:
            k = k * math.exp((last - t) / self.tau_minus) + 1.0
            kt = kt * math.exp((last - t) / self.tau_minus_triplet) + 1.0
            last = t
            self.entries.append((t, k, kt))

    def history(self, t1: float, t2: float) -> list[tuple[float, float, float]]:
        """Post spikes in (t1, t2] with NEST's eps: t1 + eps <= t < t2 + eps."""
        return [e for e in self.entries if t1 + EPS <= e[0] < t2 + EPS]

    def _latest_before(self, t: float):
        for e in reversed(self.entries):
            if t - e[0] > EPS:
                return e
        return None

    def K(self, t: float) -> float:
        e = self._latest_before(t)
        return 0.0 if e is None else e[1] * math.exp((e[0] - t) / self.tau_minus)

    def nearest_K(self, t: float) -> float:
        e = self._latest_before(t)
        return 0.0 if e is None else math.exp((e[0] - t) / self.tau_minus)


def _guetig(p):
    wmax, lam, alpha = p.get("Wmax", 100.0), p.get("lambda", 0.01), p.get("alpha", 1.0)
    mup, mum = p.get("mu_plus", 1.0), p.get("mu_minus", 1.0)

    def facilitate(w, k):
        nw = w / wmax + lam * (1.0 - w / wmax) ** mup * k
        return nw * wmax if nw < 1.0 else wmax

    def depress(w, k):
        nw = w / wmax - alpha * lam * (w / wmax) ** mum * k
        return nw * wmax if nw > 0.0 else 0.0

    return facilitate, depress


def stdp(model: str, pre: list[float], post: Post, delay: float, w: float, p: dict):
    """stdp_synapse, stdp_synapse_hom, stdp_nn_symm/pre_centered/restr_synapse,
    stdp_pl_synapse_hom, stdp_triplet_synapse, vogels_sprekeler_synapse."""
    d = delay
    t_last, kplus, kplus_trip = 0.0, p.get("Kplus", 0.0), p.get("Kplus_triplet", 0.0)
    tau_plus = (
        p.get("tau", 20.0)
        if model == "vogels_sprekeler_synapse"
        else p.get("tau_plus", 16.8 if model == "stdp_triplet_synapse" else 20.0)
    )
    out = []
    if model == "stdp_pl_synapse_hom":
        lam, alpha, mu = p.get("lambda", 0.1), p.get("alpha", 1.0), p.get("mu", 0.4)

        def facilitate(w, k):
            return w + lam * w**mu * k

        def depress(w, k):
            nw = w - lam * alpha * w * k
            return nw if nw > 0.0 else 0.0
    elif model == "vogels_sprekeler_synapse":
        eta, alpha, wmax = p.get("eta", 0.001), p.get("alpha", 0.12), p.get("Wmax", 1.0)

        def facilitate(w, k):
            nw = abs(w) + eta * k
            return math.copysign(nw if nw < abs(wmax) else wmax, wmax)

        def depress(w, _k=None):
            nw = abs(w) - alpha * eta
            return math.copysign(nw if nw > 0.0 else 0.0, wmax)
    elif model == "stdp_triplet_synapse":
        ap, am = p.get("Aplus", 5e-10), p.get("Aminus", 7e-3)
        apt, amt = p.get("Aplus_triplet", 6.2e-3), p.get("Aminus_triplet", 2.3e-4)
        wmax = p.get("Wmax", 100.0)
        tau_trip = p.get("tau_plus_triplet", 101.0)
    else:
        facilitate, depress = _guetig(p)
    for t in pre:
        window = post.history(t_last - d, t - d)
        if model in (
            "stdp_synapse",
            "stdp_synapse_hom",
            "stdp_pl_synapse_hom",
            "vogels_sprekeler_synapse",
        ):
            for tp, _, _ in window:
                w = facilitate(w, kplus * math.exp((t_last - (tp + d)) / tau_plus))
            if model == "vogels_sprekeler_synapse":
                w = depress(facilitate(w, post.K(t - d)))
            else:
                w = depress(w, post.K(t - d))
            kplus = kplus * math.exp((t_last - t) / tau_plus) + 1.0
        elif model == "stdp_nn_symm_synapse":
            for tp, _, _ in window:
                w = facilitate(w, math.exp((t_last - (tp + d)) / tau_plus))
            w = depress(w, post.nearest_K(t - d))
        elif model == "stdp_nn_pre_centered_synapse":
            if window:
                w = facilitate(w, kplus * math.exp((t_last - (window[0][0] + d)) / tau_plus))
                kplus = 0.0
            w = depress(w, post.nearest_K(t - d))
            kplus = kplus * math.exp((t_last - t) / tau_plus) + 1.0
        elif model == "stdp_nn_restr_synapse":
            if window:
                w = facilitate(w, math.exp((t_last - (window[0][0] + d)) / tau_plus))
                w = depress(w, post.nearest_K(t - d))
        elif model == "stdp_triplet_synapse":
            for tp, _, ktrip in window:
                k = kplus * math.exp((t_last - (tp + d)) / tau_plus)
                nw = abs(w) + k * (ap + apt * (ktrip - 1.0))
                w = math.copysign(nw if nw < abs(wmax) else wmax, wmax)
            kplus_trip *= math.exp((t_last - t) / tau_trip)
            nw = abs(w) - post.K(t - d) * (am + amt * kplus_trip)
            w = math.copysign(nw if nw > 0.0 else 0.0, wmax)
            kplus_trip += 1.0
            kplus = kplus * math.exp((t_last - t) / tau_plus) + 1.0
        else:
            raise ValueError(model)
        out.append(w)
        t_last = t
    return out, w


class Dopamine:
    """One stdp_dopamine_synapse, stepped like NEST: ``send`` at the start of the slice after
    the presynaptic spike, ``trigger`` at the end of every deliver_interval-th slice."""

    def __init__(self, post: Post, delay: float, w: float, p: dict) -> None:
        self.post, self.d, self.w = post, delay, w
        self.A_plus, self.A_minus = p.get("A_plus", 1.0), p.get("A_minus", 1.5)
        self.tau_plus, self.tau_c, self.tau_n = (
            p.get("tau_plus", 20.0),
            p.get("tau_c", 1000.0),
            p.get("tau_n", 200.0),
        )
        self.b, self.Wmin, self.Wmax = p.get("b", 0.0), p.get("Wmin", 0.0), p.get("Wmax", 200.0)
        self.kplus, self.c, self.n = p.get("Kplus", 0.0), p.get("c", 0.0), p.get("n", 0.0)
        self.t_last_update = 0.0
        self.idx = 0

    def _update_weight(self, c0, n0, minus_dt):
        taus = (self.tau_c + self.tau_n) / (self.tau_c * self.tau_n)
        self.w = self.w - c0 * (
            n0 / taus * math.expm1(taus * minus_dt)
            - self.b * self.tau_c * math.expm1(minus_dt / self.tau_c)
        )
        self.w = min(max(self.w, self.Wmin), self.Wmax)

    def _update_dopamine(self, dopa):
        minus_dt = dopa[self.idx][0] - dopa[self.idx + 1][0]
        self.idx += 1
        self.n = self.n * math.exp(minus_dt / self.tau_n) + dopa[self.idx][1] / self.tau_n

    def _process(self, dopa, t0, t1):
        if len(dopa) > self.idx + 1 and t1 - dopa[self.idx + 1][0] > -EPS:
            n0 = self.n * math.exp((dopa[self.idx][0] - t0) / self.tau_n)
            self._update_weight(self.c, n0, t0 - dopa[self.idx + 1][0])
            self._update_dopamine(dopa)
            while len(dopa) > self.idx + 1 and t1 - dopa[self.idx + 1][0] > -EPS:
                cd = self.c * math.exp((t0 - dopa[self.idx][0]) / self.tau_c)
                self._update_weight(cd, self.n, dopa[self.idx][0] - dopa[self.idx + 1][0])
                self._update_dopamine(dopa)
            cd = self.c * math.exp((t0 - dopa[self.idx][0]) / self.tau_c)
            self._update_weight(cd, self.n, dopa[self.idx][0] - t1)
        else:
            n0 = self.n * math.exp((dopa[self.idx][0] - t0) / self.tau_n)
            self._update_weight(self.c, n0, t0 - t1)
        self.c = self.c * math.exp((t0 - t1) / self.tau_c)

    def send(self, dopa, t_spike) -> float:
        d, t0 = self.d, self.t_last_update
        for tp, _, _ in self.post.history(self.t_last_update - d, t_spike - d):
            self._process(dopa, t0, tp + d)
            t0 = tp + d
            if t_spike - tp > EPS:
                self.c += (
                    self.A_plus * self.kplus * math.exp((self.t_last_update - t0) / self.tau_plus)
                )
        self._process(dopa, t0, t_spike)
        self.c -= self.A_minus * self.post.K(t_spike - d)
        sent = self.w
        self.kplus = self.kplus * math.exp((self.t_last_update - t_spike) / self.tau_plus) + 1.0
        self.t_last_update = t_spike
        return sent

    def trigger(self, dopa, t_trig) -> None:
        d, t0 = self.d, self.t_last_update
        for tp, _, _ in self.post.history(self.t_last_update - d, t_trig - d):
            self._process(dopa, t0, tp + d)
            t0 = tp + d
            self.c += self.A_plus * self.kplus * math.exp((self.t_last_update - t0) / self.tau_plus)
        self._process(dopa, t0, t_trig)
        self.n = self.n * math.exp((dopa[self.idx][0] - t_trig) / self.tau_n)
        self.kplus = self.kplus * math.exp((self.t_last_update - t_trig) / self.tau_plus)
        self.t_last_update = t_trig
        self.idx = 0


def dopamine(
    pre,
    post: Post,
    delay,
    w,
    p,
    dopa_arrivals,
    *,
    resolution,
    min_delay,
    deliver_interval,
    duration,
):
    """Weights transmitted by one stdp_dopamine_synapse. ``dopa_arrivals``: (time, multiplicity)
    of the spikes at the volume_transmitter (dopamine spike time + that connection's delay)."""
    syn = Dopamine(post, delay, w, p)
    m = round(min_delay / resolution)
    steps = lambda t: round(t / resolution)  # noqa: E731
    pre_steps = [steps(t) for t in pre]
    arrivals = sorted((steps(t), mult) for t, mult in dopa_arrivals)
    counter = [(0.0, 0.0)]
    out = []
    n_slices = round(duration / resolution) // m
    for s in range(n_slices):
        origin = s * m
        for t, st in zip(pre, pre_steps, strict=True):  # the last slice's spikes first
            if origin - m < st <= origin:
                out.append(syn.send(counter, t))
        for st, mult in arrivals:
            if origin < st <= origin + m:
                counter.append((st * resolution, float(mult)))
        if (origin + m) % (deliver_interval * m) == 0:
            t_trig = (origin + m) * resolution
            syn.trigger(counter, t_trig)
            counter = [(t_trig, 0.0)]
    return out, syn.w


def tsodyks(pre, w, p):
    U, u, x, y = p.get("U", 0.5), p.get("u", 0.0), p.get("x", 1.0), p.get("y", 0.0)
    tau_psc, tau_rec, tau_fac = (
        p.get("tau_psc", 3.0),
        p.get("tau_rec", 800.0),
        p.get("tau_fac", 0.0),
    )
    t_last, out = 0.0, []
    for t in pre:
        h = t - t_last
        puu = 0.0 if tau_fac == 0.0 else math.exp(-h / tau_fac)
        pyy = math.exp(-h / tau_psc)
        pzz = math.expm1(-h / tau_rec)
        pxy = (pzz * tau_rec - (pyy - 1.0) * tau_psc) / (tau_psc - tau_rec)
        z = 1.0 - x - y
        u *= puu
        x += pxy * y - pzz * z
        y *= pyy
        u += U * (1.0 - u)
        dy = u * x
        x -= dy
        y += dy
        out.append(dy * w)
        t_last = t
    return out


def tsodyks2(pre, w, p):
    U, u, x = p.get("U", 0.5), p.get("u", 0.5), p.get("x", 1.0)
    tau_rec, tau_fac = p.get("tau_rec", 800.0), p.get("tau_fac", 0.0)
    t_last, out = -1.0, []
    for t in pre:
        if t_last >= 0.0:
            h = t - t_last
            x = 1.0 + (x - x * u - 1.0) * math.exp(-h / tau_rec)
            u = U + u * (1.0 - U) * (0.0 if tau_fac == 0 else math.exp(-h / tau_fac))
        out.append(x * u * w)
        t_last = t
    return out
