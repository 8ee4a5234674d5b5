/* ts_linear_model.c: least squares and the diagonal linear network, their
 * loss and (clipped) mini-batch gradients.
 *
 * Both models predict x^T beta; they differ in the map theta -> beta:
 * least squares beta = w, the network beta = u*u - v*v. So the gradient is
 * one beta-space gradient gb = X^T (X beta - y) / m pulled back through
 * that map: for the network, by the chain rule, dL/du = 2 u * gb and
 * dL/dv = -2 v * gb (elementwise). The map's Jacobian J is the same for
 * every example, so example i's theta-gradient is J^T (r_i x_i), of norm
 * |r_i| sqrt(sum_j q_j x_ij^2) with q_j = 1 (least squares) or
 * 4 (u_j^2 + v_j^2) (network); clipping it scales r_i alone. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "tailsweep/ts_linear.h"

size_t ts_linear_n_params(ts_linear_model m, size_t d)
{
    return m == TS_LINEAR_DLN ? 2 * d : d;
}

void ts_linear_init(ts_linear_model m, size_t d, double a0, double *theta)
{
    for (size_t j = 0; j < ts_linear_n_params(m, d); j++) theta[j] = m == TS_LINEAR_DLN ? a0 : 0;
}

void ts_linear_beta(ts_linear_model m, size_t d, const double *theta, double *beta)
{
    if (m != TS_LINEAR_DLN) {
        memcpy(beta, theta, d * sizeof *beta);
        return;
    }
    const double *u = theta, *v = theta + d;
    for (size_t j = 0; j < d; j++) beta[j] = u[j] * u[j] - v[j] * v[j];
}

/* r = X beta - y over m rows. */
static void residual(const double *X, const double *y, size_t m, size_t d, const double *beta, double *r)
{
    memcpy(r, y, m * sizeof *r);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)d, 1.0, X, (int)d, beta, 1, -1.0, r, 1);
}

double ts_linear_loss(const double *X, const double *y, size_t m, size_t d, const double *beta, double *r)
{
    residual(X, y, m, d, beta, r);
    return cblas_ddot((int)m, r, 1, r, 1) / (2.0 * (double)m);
}

size_t ts_linear_grad(ts_linear_model m, const double *X, const double *y, size_t rows, size_t d,
                      const double *theta, const double *beta, double clip, double *r, double *gb,
                      double *grad)
{
    residual(X, y, rows, d, beta, r);
    size_t clipped = 0;
    if (clip > 0) {
        double *q = gb;   /* scratch until gb is computed below */
        for (size_t j = 0; j < d; j++)
            q[j] = m == TS_LINEAR_DLN ? 4 * (theta[j] * theta[j] + theta[d + j] * theta[d + j]) : 1;
        for (size_t i = 0; i < rows; i++) {
            const double *x = X + i * d;
            double s = 0;
            for (size_t j = 0; j < d; j++) s += q[j] * x[j] * x[j];
            double norm = fabs(r[i]) * sqrt(s);
            if (norm > clip) {
                r[i] *= clip / norm;
                clipped++;
            }
        }
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)d, 1.0 / (double)rows, X, (int)d, r, 1, 0.0, gb, 1);
    if (m != TS_LINEAR_DLN) {
        memcpy(grad, gb, d * sizeof *grad);
    } else {
        for (size_t j = 0; j < d; j++) {
            grad[j] = 2 * theta[j] * gb[j];
            grad[d + j] = -2 * theta[d + j] * gb[j];
        }
    }
    return clipped;
}
