"""Writes N batch rows (CSV) with valid, distinct codici fiscali.

usage: python gen_rows.py N > rows.csv
"""
import sys

ODD = {
    **dict(zip("0123456789", [1, 0, 5, 7, 9, 13, 15, 17, 19, 21])),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23])),
}
EVEN = {**{str(i): i for i in range(10)}, **{c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}}
LETTERS = "BCDFGHLMNPRSTVZ"
MONTHS = "ABCDEHLMPRST"


def check_char(s15):
    total = sum(ODD[c] if i % 2 == 0 else EVEN[c] for i, c in enumerate(s15))
    return chr(ord("A") + total % 26)


def cf(n):
    a = "".join(LETTERS[(n // 15 ** k) % 15] for k in range(6))
    year = f"{40 + n % 60:02d}"
    month = MONTHS[n % 12]
    day = f"{1 + n % 28 + (40 if n % 2 else 0):02d}"
    place = f"H{n % 1000:03d}"
    s = a + year + month + day + place
    return s + check_char(s)


def main():
    n = int(sys.argv[1])
    out = sys.stdout
    out.write("cf,invalidita,handicap,deambulazione-ridotta,rivedibile\n")
    for i in range(n):
        pct = 34 + (i * 7) % 67
        hand = ["", "grave", "non-grave"][i % 3]
        walk = "1" if i % 4 == 0 else "0"
        rev = "2028-06-30" if i % 5 == 0 else ""
        out.write(f"{cf(i)},{pct},{hand},{walk},{rev}\n")


if __name__ == "__main__":
    main()
