//! A seeded generator of synthetic security-cooperation news articles for benchmarks and
//! scale tests: varied countries (from graph-schema/countries.tsv), ministries, thousands
//! of made-up persons with titles and ranks, meetings, agreements and exercises on varied
//! dates, topics from the vocabulary, and bodies of 1 to 8,000 characters. The same seed
//! gives the same articles on every machine. Names are built from syllables, so no real
//! person or article is reproduced.
#![allow(dead_code)]

const COUNTRIES_TSV: &str = include_str!("../../graph-schema/countries.tsv");

/// SplitMix64: small, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `0..n` skewed towards small values (a few popular, a long tail).
    pub fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        let c = self.below(n);
        a.min(b).min(c)
    }

    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

struct Country {
    name: String,
    demonym: String,
}

const SYLLABLES: &[&str] = &[
    "ka", "ren", "to", "mi", "sa", "lu", "vor", "na", "del", "qui", "ba", "thi", "or", "zen", "ma",
    "ri", "ko", "lan", "dri", "vel", "an", "so", "pe", "ta", "gor", "in", "ha", "mo", "ul", "che",
    "ya", "do", "fen", "ki", "ro", "sul", "bar", "ne", "tav", "ish",
];

const CITIES: &[&str] = &[
    "Port Aldra",
    "Kessaly",
    "Varnholt",
    "Minetto",
    "Sorvanne",
    "Tulikar",
    "Brenmoor",
    "Calvessa",
    "Doraline",
    "Esterwick",
    "Faloun",
    "Greyhaven",
    "Holmestad",
    "Ilvora",
];

const MINISTRIES: &[&str] = &[
    "Ministry of Public Security",
    "Ministry of Interior",
    "Ministry of Defence",
    "Ministry of Justice",
    "Ministry of Foreign Affairs",
    "National Police",
    "Ministry of Home Affairs",
    "Immigration Department",
    "Coast Guard",
    "Anti-Drug Agency",
];

const TITLES: &[&str] = &[
    "Minister of Public Security",
    "Interior Minister",
    "Defence Minister",
    "Minister of Justice",
    "Foreign Minister",
    "Deputy Minister",
    "Police Chief",
    "Director General",
    "Ambassador",
    "Chief of General Staff",
];

const RANKS: &[&str] = &[
    "",
    "",
    "",
    "General",
    "Lieutenant General",
    "Major General",
    "Colonel",
    "Police Major General",
];

const TOPICS: &[&str] = &[
    "transnational crime",
    "organized crime",
    "cybercrime",
    "online fraud",
    "terrorism",
    "drug trafficking",
    "human trafficking",
    "migrant smuggling",
    "money laundering",
    "corruption",
    "maritime security",
    "border security",
    "information sharing",
    "training",
    "technical assistance",
    "extradition",
    "mutual legal assistance",
    "peacekeeping",
    "wildlife trafficking",
    "cybersecurity",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

const FILLER: &[&str] = &[
    "Officials said the talks took place in a friendly and constructive atmosphere.",
    "The two sides reviewed the results achieved since their previous meeting.",
    "Both delegations stressed that regular exchanges of delegations remain important.",
    "Analysts noted that the region has seen a rise in cross-border offences in recent years.",
    "The statement did not give further details of the arrangements discussed.",
    "Observers expect the follow-up meeting to take place before the end of the year.",
    "Local media reported that several working groups will meet in the coming months.",
    "The delegation also visited a training centre and a border checkpoint.",
];

/// A made-up person: a rank (maybe), a given name and a family name.
fn person(id: usize) -> String {
    let mut r = Rng::new(id as u64 * 7919 + 17);
    let mut word = |parts: usize| {
        let mut w = String::new();
        for _ in 0..parts {
            w.push_str(SYLLABLES[r.below(SYLLABLES.len())]);
        }
        let mut c = w.chars();
        let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('X');
        std::iter::once(first).chain(c).collect::<String>()
    };
    let given = word(2);
    let family = word(2 + (id % 2));
    format!("{given} {family}")
}

/// The article generator: persons and countries drawn from fixed pools.
pub struct Generator {
    rng: Rng,
    countries: Vec<Country>,
    persons: usize,
}

/// One generated article, as a JSON line would carry it.
pub struct Synthetic {
    /// Document id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Publication date, YYYY-MM-DD.
    pub published: String,
    /// Body text.
    pub text: String,
}

impl Synthetic {
    /// The article as one JSON line (without the newline).
    pub fn to_json_line(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).expect("a string serialises");
        format!(
            "{{\"id\":{},\"title\":{},\"published\":{},\"text\":{}}}",
            q(&self.id),
            q(&self.title),
            q(&self.published),
            q(&self.text)
        )
    }
}

impl Generator {
    /// A generator with `persons` distinct people (thousands for realistic identity work).
    pub fn new(seed: u64, persons: usize) -> Generator {
        let countries = COUNTRIES_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("name\t"))
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let demonym = f.get(4)?.split('|').next()?.to_string();
                (!demonym.is_empty()).then(|| Country {
                    name: f[0].to_string(),
                    demonym,
                })
            })
            .collect();
        Generator {
            rng: Rng::new(seed),
            countries,
            persons: persons.max(1),
        }
    }

    fn country(&mut self) -> usize {
        // A few countries appear often, most rarely.
        self.rng.skewed(self.countries.len())
    }

    fn official(&mut self, c: usize) -> String {
        let p = person(self.rng.skewed(self.persons));
        let rank = *self.rng.pick(RANKS);
        let title = *self.rng.pick(TITLES);
        let dem = &self.countries[c].demonym;
        if rank.is_empty() {
            format!("{dem} {title} {p}")
        } else {
            format!("{dem} {title} {rank} {p}")
        }
    }

    /// Article number `n` (its id is `synth-<n>`).
    pub fn article(&mut self, n: usize) -> Synthetic {
        let r = &mut self.rng;
        let year = 2015 + r.below(11);
        let month = r.below(12);
        let day = 1 + r.below(28);
        let a = self.country();
        let mut b = self.country();
        if b == a {
            b = (a + 1 + self.rng.below(self.countries.len() - 1)) % self.countries.len();
        }
        let (ca, cb) = (
            self.countries[a].name.clone(),
            self.countries[b].name.clone(),
        );
        let topic = *self.rng.pick(TOPICS);
        let topic2 = *self.rng.pick(TOPICS);
        let city = *self.rng.pick(CITIES);
        let weekday = *self.rng.pick(WEEKDAYS);
        let mon = MONTHS[month];
        let oa = self.official(a);
        let ob = self.official(b);
        let ma = *self.rng.pick(MINISTRIES);
        let mb = *self.rng.pick(MINISTRIES);
        let target = match self.rng.below(10) {
            0 => 1 + self.rng.below(300),
            1..=6 => 800 + self.rng.below(3000),
            _ => 3000 + self.rng.below(5000),
        };
        let kind = self.rng.below(4);
        let lead = match kind {
            0 => format!(
                "{city} – {oa} held talks with {ob} on {weekday} in {city}. The two sides agreed to strengthen cooperation in combating {topic} and {topic2}."
            ),
            1 => format!(
                "{city} – The {ma} of {ca} and the {mb} of {cb} signed a memorandum of understanding on {topic} on {day} {mon} {year}. The agreement was signed by {oa} and {ob}."
            ),
            2 => format!(
                "{city} – Forces of {ca} and {cb} began a joint exercise on {topic} on {mon} {day}, {year}, {oa} said. {ob} attended the opening ceremony."
            ),
            _ => format!(
                "{city} – {oa} received {ob} on {weekday}. They discussed {topic}, {topic2} and the exchange of information between the {ma} of {ca} and the {mb} of {cb}."
            ),
        };
        let mut text = lead;
        while text.len() < target {
            let s = match self.rng.below(5) {
                0 => {
                    let c = self.country();
                    let o = self.official(c);
                    let t = *self.rng.pick(TOPICS);
                    format!(" {o} said cooperation against {t} had produced results.")
                }
                1 => {
                    let t = *self.rng.pick(TOPICS);
                    format!(" The officials also discussed {t} and joint training.")
                }
                _ => format!(" {}", self.rng.pick(FILLER)),
            };
            text.push_str(&s);
            if self.rng.below(6) == 0 {
                text.push('\n');
            }
        }
        if text.len() > target {
            let mut cut = target.max(1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        if text.trim().is_empty() {
            text = format!("{ca}.");
        }
        Synthetic {
            id: format!("synth-{n}"),
            title: format!("{ca} and {cb} to cooperate on {topic}"),
            published: format!("{year}-{:02}-{day:02}", month + 1),
            text,
        }
    }
}
