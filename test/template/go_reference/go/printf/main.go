// Command printf prints Go's fmt.Sprintf for each JSON [type, value, format] line of
// its input, for comparison with the engine's printf (see ../../README.md).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		var c []string
		json.Unmarshal(sc.Bytes(), &c)
		var v interface{}
		switch c[0] {
		case "i":
			n, _ := strconv.ParseInt(c[1], 10, 64)
			v = int(n)
		case "f":
			switch c[1] {
			case "nan":
				v = math.NaN()
			case "inf":
				v = math.Inf(1)
			case "-inf":
				v = math.Inf(-1)
			default:
				f, _ := strconv.ParseFloat(c[1], 64)
				v = f
			}
		case "s":
			var s string
			json.Unmarshal([]byte(c[1]), &s)
			v = s
		default:
			v = c[1] == "true"
		}
		b, _ := json.Marshal(fmt.Sprintf(c[2], v))
		w.Write(b)
		w.WriteString("\n")
	}
}
