/* The sieve of Eratosthenes as a CPython extension: primes_below(n) -> list of int. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

static PyObject *primes_below(PyObject *self, PyObject *arg) {
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL || n < 3) return out;
    unsigned char *composite = calloc((size_t)n, 1);
    if (composite == NULL) { Py_DECREF(out); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 2; i < n; i++) {
        if (composite[i]) continue;
        PyObject *p = PyLong_FromSsize_t(i);
        if (p == NULL || PyList_Append(out, p) < 0) { Py_XDECREF(p); Py_DECREF(out); free(composite); return NULL; }
        Py_DECREF(p);
        for (Py_ssize_t j = i * i; j < n; j += i) composite[j] = 1;
    }
    free(composite);
    return out;
}

static PyMethodDef methods[] = {
    {"primes_below", primes_below, METH_O, "primes_below(n) -> the primes p with p < n, in order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastprimes._sieve", NULL, -1, methods};

PyMODINIT_FUNC PyInit__sieve(void) { return PyModule_Create(&module); }
