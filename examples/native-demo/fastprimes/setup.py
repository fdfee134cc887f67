# The C extension (setuptools older than 74 can't declare it in pyproject.toml).
from setuptools import Extension, setup

setup(ext_modules=[Extension("fastprimes._sieve", sources=["src/fastprimes/_sieve.c"])])
