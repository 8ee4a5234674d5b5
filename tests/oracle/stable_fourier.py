"""tests/oracle/stable_fourier.py: independent reference values for the
stable laws, Fourier inversion of the S0 characteristic function in mpmath
(40 digits), shared by tests/oracle/scipy_stable_dist.py and tests/python:
  f = (1/pi) int_0^inf e^(-u^a) cos(u x + beta tan(pi a/2)(u - u^a)) du,
  F = 1/2 + (1/pi) int_0^inf e^(-u^a) sin(...) / u du   (Gil-Pelaez),
alpha = 1: the phase u x + beta (2/pi) u log u."""
import mpmath as mp


def pdf_cdf_s0(a, b, x, dps=40):
    with mp.workdps(dps):
        a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
        if a == 1:
            ph = lambda u: u * x + b * 2 / mp.pi * u * mp.log(u)
            dec = lambda u: mp.exp(-u)
        else:
            t = mp.tan(mp.pi * a / 2)
            ph = lambda u: u * x + b * t * (u - u ** a)
            dec = lambda u: mp.exp(-u ** a)
        pts = [0] + [mp.mpf(2) ** k for k in range(-6, 9)] + [mp.inf]
        f = mp.quad(lambda u: dec(u) * mp.cos(ph(u)), pts) / mp.pi
        F = mp.mpf(1) / 2 + mp.quad(lambda u: dec(u) * mp.sin(ph(u)) / u, pts) / mp.pi
        return float(f), float(F)


def zeta(a, b):
    return -b * float(mp.tan(mp.pi * mp.mpf(a) / 2))
