"""Independent high-precision references (mpmath) for the queueing formulas.

Erlang B from the Poisson distribution; Erlang A by summing the birth-death chain state
by state, and its service level from the hypoexponential law of the time to reach an
agent. None of these use the incomplete-gamma identities the library relies on.
"""

from __future__ import annotations

import mpmath as mp


def erlang_b(n: int, a: float) -> mp.mpf:
    a = mp.mpf(a)
    if a == 0:
        return mp.mpf(1 if n == 0 else 0)
    log_pmf = n * mp.log(a) - a - mp.loggamma(n + 1)
    return mp.exp(log_pmf) / mp.gammainc(n + 1, a, mp.inf, regularized=True)


def erlang_c(n: int, a: float) -> mp.mpf:
    a = mp.mpf(a)
    if a >= n:
        return mp.mpf(1)
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def erlang_c_figures(n: int, a: float, aht: float, t: float) -> dict[str, mp.mpf]:
    c = erlang_c(n, a)
    a, aht, t = mp.mpf(a), mp.mpf(aht), mp.mpf(t)
    return {
        "p_wait": c,
        "service_level": 1 - c * mp.exp(-(n - a) * t / aht),
        "asa_s": c * aht / (n - a),
    }


def erlang_a_chain(n: int, a: float, aht: float, patience: float) -> dict[str, object]:
    """Stationary law of the M/M/n+M chain, summed state by state."""
    a, aht, patience = mp.mpf(a), mp.mpf(aht), mp.mpf(patience)
    x = n * patience / aht
    y = a * patience / aht
    low = [k * mp.log(a) - mp.loggamma(k + 1) for k in range(n + 1)]
    queue = [low[n]]
    j = 0
    while True:
        j += 1
        queue.append(queue[-1] + mp.log(y / (x + j)))
        if j > y - x and queue[-1] < max(queue) - 90:
            break
    top = max(max(low), max(queue))
    total = mp.fsum(mp.exp(v - top) for v in low) + mp.fsum(mp.exp(v - top) for v in queue[1:])
    pq = [mp.exp(v - top) / total for v in queue]
    p_wait = mp.fsum(pq)
    mean_queue = mp.fsum(k * p for k, p in enumerate(pq))
    p_abandon = mean_queue / y  # abandonment rate theta E[Q] over arrival rate lambda
    # Little's law for the callers who will be answered: the one at position i is answered
    # with probability x / (x + i).
    answered_in_queue = mp.mpf(0)
    weight = mp.mpf(0)
    for k, p in enumerate(pq):
        if k:
            weight += x / (x + k)
        answered_in_queue += p * weight
    lam = a / aht
    asa = answered_in_queue / lam / (1 - p_abandon) if p_abandon < 1 else mp.nan
    return {"p_wait": p_wait, "p_abandon": p_abandon, "asa_s": asa, "pq": pq, "x": x}


def erlang_a_service_level(n: int, a: float, aht: float, patience: float, t: float) -> mp.mpf:
    """Answered within t over offered: a caller at queue position k passes k stages with
    rates theta (x + i) and is answered with probability x / (x + k)."""
    chain = erlang_a_chain(n, a, aht, patience)
    x = chain["x"]
    theta = 1 / mp.mpf(patience)
    t = mp.mpf(t)
    total = 1 - chain["p_wait"]
    if t == 0:
        return total
    for j, p in enumerate(chain["pq"]):
        k = j + 1
        if p < mp.mpf(10) ** -30:
            continue
        with mp.workdps(40 + int(k * mp.log10(x + k + 2)) + 10):
            rates = [theta * (x + i) for i in range(1, k + 1)]
            tail = mp.mpf(0)
            for i, ri in enumerate(rates):
                coef = mp.mpf(1)
                for m, rm in enumerate(rates):
                    if m != i:
                        coef *= rm / (rm - ri)
                tail += coef * mp.exp(-ri * t)
            total += p * (x / (x + k)) * (1 - tail)
    return total
