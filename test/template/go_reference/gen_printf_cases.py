"""Random printf cases (JSON [type, value, format] per line) for the fmt comparison."""
import json
import random
import sys

random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
flags = ['', '-', '+', '#', '0', ' ', '-+', '0+', ' 0', '#0', '#-', ' +']
widths = ['', '1', '3', '5', '12', '20']
precs = ['', '.0', '.1', '.2', '.3', '.6', '.10', '.17', '.']
verbs = 'vdsqxXfFeEgGtcUobT'
ints = [0, 1, -1, 42, 255, -255, 1 << 40, -(1 << 62), 7, 233, 65, 0x1F600,
        9223372036854775807, -9223372036854775808, 10, 0x7f, 0xad, 0xd800]
floats = [0.0, -0.0, 1.5, 1e6, 1e21, 1e20, 3.5e-05, 123456789.123, 0.1, 2.5, -2.345, 1e-7,
          15020.0, 1 / 3, 100000.0, 1234567.0, 0.000123, 9.999999, 5e-324,
          2.2250738585072014e-308, 1.7976931348623157e308, 0.5, 0.05, 0.005, 99.995, 1e-4,
          1e-5, 123456.0, 999999.5, float('nan'), float('inf'), -float('inf')]
strs = ["", "hi", "h\u00e9llo", "a\"b\n", "\u00e9\u00e9\u00e9\u00e9", "tab\there", "\x7f\x01",
        "\u2028x", "`raw`", "\U0001F600"]
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 20000):
    fmt = '%' + random.choice(flags) + random.choice(widths) + random.choice(precs) + \
        random.choice(verbs)
    kind = random.choice('ifsb')
    if kind == 'i':
        value = str(random.choice(ints))
    elif kind == 'f':
        value = repr(random.choice(floats))
    elif kind == 's':
        value = json.dumps(random.choice(strs))
    else:
        value = random.choice(['true', 'false'])
    print(json.dumps([kind, value, fmt]))
