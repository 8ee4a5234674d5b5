/* data_driver.c: loads one split of a named image set from a folder with
 * tailsweep's loaders, for tests/oracle/data_numpy.py.
 *
 *   data_driver SET DIR train|test     (SET: mnist | fashion_mnist | cifar10 | svhn)
 *
 * Prints "n height width channels n_classes", then one line per image: its
 * label and its pixel bytes, channels last. Exit 1 with the loader's
 * message on stderr when it fails. */
#include <stdio.h>
#include <string.h>

#include "tailsweep/ts_data.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SET DIR train|test\n", argv[0]);
        return 2;
    }
    int set = -1;
    for (int k = 0; ts_data_set_names[k]; k++)
        if (strcmp(argv[1], ts_data_set_names[k]) == 0) set = k;
    if (set < 0) {
        fprintf(stderr, "data_driver: unknown set %s\n", argv[1]);
        return 2;
    }
    ts_images *im;
    ts_err err = { 0 };
    if (ts_data_set_load((ts_data_set)set, argv[2], strcmp(argv[3], "train") == 0, &im, &err)) {
        fprintf(stderr, "data_driver: %s\n", err.msg);
        return 1;
    }
    size_t d = im->shape[0] * im->shape[1] * im->shape[2];
    printf("%zu %zu %zu %zu %zu\n", im->n, im->shape[0], im->shape[1], im->shape[2], im->n_classes);
    for (size_t i = 0; i < im->n; i++) {
        printf("%d", (int)im->label[i]);
        for (size_t j = 0; j < d; j++) printf(" %u", (unsigned)im->pixels[i * d + j]);
        printf("\n");
    }
    ts_images_free(im);
    return 0;
}
