/* ts_stable_quad.h (internal): Zolotarev's integral for the stable density
 * and distribution function, evaluated by Gauss-Kronrod panels in a variable
 * that keeps full precision at both ends of the interval (method: the top of
 * ts_stable_quad.c).
 *
 * A ts_qlaw holds one law in one orientation: the standardised argument is on
 * the side x1 > 0 of zeta (the caller reflects x -> -x, beta -> -beta for the
 * other side). Everything that depends on the law only (its constants and a
 * skeleton of the integrand's exponent) is computed once, so a vector of
 * points shares it. */
#ifndef TS_STABLE_QUAD_H
#define TS_STABLE_QUAD_H

/* Skeleton: the law's part of the exponent at fixed points of the
 * integration variable, used to place each point's peak. */
#define TS_QSK 33

typedef struct {
    int a1;                 /* 1: alpha = 1 (beta > 0 then); 0: alpha != 1  */
    double alpha, beta;
    /* alpha != 1 (Nolan 1997; see ts_stable_quad.c) */
    double am1, ratio;      /* alpha - 1, alpha / (alpha - 1)               */
    double zeta;            /* -beta tan(pi alpha / 2)                      */
    double e;               /* pi/2 - |alpha theta0|                        */
    double theta0, c0;      /* c0 = pi/2 - |theta0|                         */
    double L, P0;           /* interval length pi/2 + theta0; pi/2 - theta0  */
    double Mplus, Mminus;   /* pi/2 -+ (alpha theta0 - pi (1 - alpha) / 2)  */
    double Mplus_c;         /* pi - Mplus, without cancellation when small  */
    double log_sin_e;       /* log cos(alpha theta0)                        */
    int s;                  /* sign of theta0 (+1 for 0)                    */
    int dir;                /* +1 if the exponent grows with theta          */
    double logL;
    /* skeleton, built on first use */
    int have_skel;
    double sk_s[TS_QSK], sk_H[TS_QSK];
} ts_qlaw;

/* Results of one point: with y = T1 + H(theta) the exponent (g = e^y),
 *   int g e^-g dtheta       = exp(mP) P   (the scale keeps far tails finite),
 *   int e^-g dtheta         = E,
 *   int (1 - e^-g) dtheta   = E1,
 * each to ~1e-14 relative; E + E1 is the interval's length. */
typedef struct {
    double mP, P, E, E1;
    int evals;              /* integrand evaluations, for benchmarks         */
} ts_qres;

enum { TS_Q_PDF = 1, TS_Q_CDF = 2 };

/* alpha != 1, beta in [-1, 1] (this orientation). */
void ts_qlaw_init(ts_qlaw *q, double alpha, double beta);
/* alpha = 1, 0 < beta <= 1. */
void ts_qlaw_init_a1(ts_qlaw *q, double beta);

/* The point's part of the exponent: alpha != 1, x0 the S0 and x1 = x0 - zeta
 * > 0 the S1 argument; alpha = 1, x the argument. */
double ts_qlaw_T1(const ts_qlaw *q, double x0, double x1);
double ts_qlaw_T1_a1(const ts_qlaw *q, double x);

/* The integrals at one point (what: TS_Q_PDF and/or TS_Q_CDF). Returns 0 on
 * success; 1 when the integrand's peak lies closer than ~1e-300 to an end of
 * the interval (a far tail, which the caller's series and asymptotics
 * cover); 2 when the adaptive refinement did not meet its tolerance. */
int ts_qlaw_integrate(ts_qlaw *q, double T1, int what, ts_qres *out);

#endif
