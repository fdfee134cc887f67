"""Primes below a bound, sieved by a C extension."""
from fastprimes._sieve import primes_below

__all__ = ["primes_below"]
