/* ts_mcculloch_table.h: the grid of McCulloch's quantile estimator
 * (src/stable only). ts_mcculloch_q holds, for each grid law
 * S0(alpha, beta, 1, 0), its quantiles at TS_MC_P, computed by tailsweep's
 * own ts_stable_quantile. The table is generated, not typed:
 *   make build/asan/oracle/mcculloch_table_driver
 *   build/asan/oracle/mcculloch_table_driver > src/stable/ts_mcculloch_table.c
 * and tests/unit/test_stable_fit.c recomputes a sample of its cells and
 * compares them exactly, so a table gone stale (the quantile function
 * changed) fails the suite. Generating it takes ~7 s under ASan, which is
 * what every process using McCulloch used to pay at first use. */
#ifndef TS_MCCULLOCH_TABLE_H
#define TS_MCCULLOCH_TABLE_H

#define TS_MC_NA 29      /* alpha = 0.6, 0.65, ..., 2.0 */
#define TS_MC_NB 9       /* beta = 0, 0.125, ..., 1    */
#define TS_MC_A0 0.6
#define TS_MC_DA 0.05
#define TS_MC_DB 0.125
#define TS_MC_NP 5

/* the quantile levels of McCulloch's statistics, as an initialiser */
#define TS_MC_P_INIT { 0.05, 0.25, 0.5, 0.75, 0.95 }

/* grid point (i, j): alpha = A0 + DA i, beta = DB j (the generator and the
 * check use exactly these expressions) */
#define TS_MC_ALPHA(i) (TS_MC_A0 + TS_MC_DA * (i))
#define TS_MC_BETA(j) (TS_MC_DB * (j))

extern const double ts_mcculloch_q[TS_MC_NA][TS_MC_NB][TS_MC_NP];

#endif
