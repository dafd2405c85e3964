package instances

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/optlearn/optlearn/sched"
)

//go:embed data/*.gz
var data embed.FS

// Names lists the embedded standard-format instances.
var Names = []string{"ft06", "ft10", "la01", "la02", "la03", "la04", "la05", "ta01", "ta71"}

// Load returns an embedded instance by name (see [Names]) with BKS set to
// the current best-known upper bound of bounds.csv. Taillard names ta01–ta80
// not in Names are generated with [Taillard] instead.
func Load(name string) (*sched.Instance, error) {
	f, err := data.Open("data/" + name + ".txt.gz")
	if err != nil {
		if k, ok := taillardIndex(name); ok {
			return Taillard(k)
		}
		return nil, fmt.Errorf("instances: unknown instance %q", name)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	in, err := sched.ParseStandard(zr, name)
	if err != nil {
		return nil, err
	}
	if b, ok := Bound(name); ok {
		in.BKS = b.UB
	}
	if k, ok := taillardIndex(name); ok {
		in.BKS = TaillardBKS[k-1]
	}
	return in, nil
}

func taillardIndex(name string) (int, bool) {
	if len(name) != 4 || name[:2] != "ta" {
		return 0, false
	}
	k, err := strconv.Atoi(name[2:])
	if err != nil || k < 1 || k > 80 {
		return 0, false
	}
	return k, true
}

// Bounds are the bounds of one instance from bounds.csv.
type Bounds struct {
	Name    string
	N, M    int
	LB, UB  int  // current best lower and upper bounds
	Optimal bool // LB == UB
	LB2020  int  // literature lower bound as of 2020
	UB2020  int  // literature best-known solution as of 2020
}

var (
	boundsOnce sync.Once
	bounds     map[string]Bounds
)

// Bound returns the bounds of an ft, la or ta instance.
func Bound(name string) (Bounds, bool) {
	boundsOnce.Do(loadBounds)
	b, ok := bounds[name]
	return b, ok
}

func loadBounds() {
	bounds = map[string]Bounds{}
	raw, err := data.ReadFile("data/bounds.csv.gz")
	if err != nil {
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return
	}
	txt, err := io.ReadAll(zr)
	if err != nil {
		return
	}
	rows, err := csv.NewReader(bytes.NewReader(txt)).ReadAll()
	if err != nil || len(rows) < 2 {
		return
	}
	// name,family,jobs,machines,lb,ub,optimal,lb_lit2020,ub_lit2020
	for _, r := range rows[1:] {
		at := func(i int) int { v, _ := strconv.Atoi(r[i]); return v }
		bounds[r[0]] = Bounds{Name: r[0], N: at(2), M: at(3), LB: at(4), UB: at(5), Optimal: r[6] == "true", LB2020: at(7), UB2020: at(8)}
	}
}

// TaillardSeeds holds the (time seed, machine seed) pairs of ta01…ta80.
var TaillardSeeds = [80][2]int64{
	// 15×15
	{840612802, 398197754}, {1314640371, 386720536}, {1227221349, 316176388}, {342269428, 1806358582}, {1603221416, 1501949241}, {1357584978, 1734077082}, {44531661, 1374316395}, {302545136, 2092186050}, {1153780144, 1393392374}, {73896786, 1544979948},
	// 20×15
	{533484900, 317419073}, {1894307698, 1474268163}, {874340513, 509669280}, {1124986343, 1209573668}, {1463788335, 529048107}, {1056908795, 25321885}, {195672285, 1717580117}, {961965583, 1353003786}, {1610169733, 1734469503}, {532794656, 998486810},
	// 20×20
	{1035939303, 773961798}, {5997802, 1872541150}, {1357503601, 722225039}, {806159563, 1166962073}, {1902815253, 1879990068}, {1503184031, 1850351876}, {1032645967, 99711329}, {229894219, 1158117804}, {823349822, 108033225}, {1297900341, 489486403},
	// 30×15
	{98640593, 1981283465}, {1839268120, 248890888}, {573875290, 2081512253}, {1670898570, 788294565}, {1118914567, 1074349202}, {178750207, 294279708}, {1549372605, 596993084}, {798174738, 151685779}, {553410952, 1329272528}, {1661531649, 1173386294},
	// 30×20
	{1841414609, 1357882888}, {2116959593, 1546338557}, {796392706, 1230864158}, {532496463, 254174057}, {2020525633, 978943053}, {524444252, 185526083}, {1569394691, 487269855}, {1460267840, 1631446539}, {198324822, 1937476577}, {38071822, 1541985579},
	// 50×15
	{17271, 718939}, {660481279, 449650254}, {352229765, 949737911}, {1197518780, 166840558}, {1376020303, 483922052}, {2106639239, 955932362}, {1765352082, 1209982549}, {1105092880, 1349003108}, {907248070, 919544535}, {2011630757, 1845447001},
	// 50×20
	{8493988, 2738939}, {1991925010, 709517751}, {342093237, 786960785}, {1634043183, 973178279}, {341706507, 286513148}, {320167954, 1411193018}, {1089696753, 298068750}, {433032965, 1589656152}, {615974477, 331205412}, {236150141, 592292984},
	// 100×20
	{302034063, 1203569070}, {1437643198, 1692025209}, {1792475497, 1039908559}, {1647273132, 1012841433}, {696480901, 1689682358}, {1785569423, 1092647459}, {117806902, 739059626}, {1639154709, 1319962509}, {2007423389, 749368241}, {682761130, 262763021},
}

// TaillardBKS is the frozen best-known makespan row of ta01…ta80 used by the
// spec's A3 table (literature values of 2020).
var TaillardBKS = [80]int{
	1231, 1244, 1218, 1175, 1224, 1238, 1227, 1217, 1274, 1241, 1357, 1367, 1342, 1345, 1339, 1360, 1462, 1396, 1332, 1348,
	1642, 1600, 1557, 1644, 1595, 1643, 1680, 1603, 1625, 1584, 1764, 1784, 1791, 1829, 2007, 1819, 1771, 1673, 1795, 1669,
	2005, 1937, 1846, 1979, 2000, 2004, 1889, 1937, 1961, 1923, 2760, 2756, 2717, 2839, 2679, 2781, 2943, 2885, 2655, 2723,
	2868, 2869, 2755, 2702, 2725, 2845, 2825, 2784, 3071, 2995, 5464, 5181, 5568, 5339, 5392, 5342, 5436, 5394, 5358, 5183,
}

// Group is a Taillard size group of 10 instances.
type Group struct {
	Name  string // e.g. "15x15"
	N, M  int
	First int // first instance number (1, 11, ..., 71)
	// PDRGaps is the spec's reference (acceptance A3) for the mean gap, in
	// percent of TaillardBKS, of the non-delay dispatching rules over the
	// group's 10 instances, in the order of sched.Rules.
	PDRGaps [7]float64
}

// TaillardGroups lists the eight Taillard groups.
var TaillardGroups = []Group{
	{"15x15", 15, 15, 1, [7]float64{25.9, 41.2, 19.2, 47.7, 20.5, 17.7, 23.9}},
	{"20x15", 20, 15, 11, [7]float64{32.8, 46.2, 23.4, 47.0, 23.6, 21.3, 31.4}},
	{"20x20", 20, 20, 21, [7]float64{27.8, 40.9, 21.8, 47.7, 21.7, 19.9, 27.4}},
	{"30x15", 30, 15, 31, [7]float64{35.3, 49.1, 23.9, 49.9, 22.8, 21.7, 31.2}},
	{"30x20", 30, 20, 41, [7]float64{34.5, 50.3, 25.2, 59.1, 25.0, 24.0, 31.1}},
	{"50x15", 50, 15, 51, [7]float64{24.1, 41.2, 16.9, 38.5, 17.4, 15.3, 20.7}},
	{"50x20", 50, 20, 61, [7]float64{25.5, 43.7, 17.9, 46.6, 17.7, 16.3, 23.9}},
	{"100x20", 100, 20, 71, [7]float64{14.4, 31.9, 8.3, 28.9, 9.2, 7.6, 13.6}},
}

// Taillard generates Taillard instance ta<k> (k in 1..80), named "taKK",
// with BKS from [TaillardBKS].
func Taillard(k int) (*sched.Instance, error) {
	if k < 1 || k > 80 {
		return nil, fmt.Errorf("instances: Taillard index %d not in 1..80", k)
	}
	g := TaillardGroups[(k-1)/10]
	in, err := sched.GenerateTaillard(g.N, g.M, TaillardSeeds[k-1][0], TaillardSeeds[k-1][1])
	if err != nil {
		return nil, err
	}
	in.Name = fmt.Sprintf("ta%02d", k)
	in.BKS = TaillardBKS[k-1]
	return in, nil
}
