import sys

from fastprimes import primes_below


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: primes N   (prints the primes below N)", file=sys.stderr)
        return 2
    print(" ".join(str(p) for p in primes_below(int(sys.argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
