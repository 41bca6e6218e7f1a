namespace SSeg.Ingest.Nlp;

/// <summary>Irregular English noun plurals and verb forms that suffix rules cannot produce.</summary>
internal static class IrregularForms
{
    // base: past, past participle (and other irregular forms), space separated.
    private const string Verbs = """
        be: is am are was were been being 's 're 'm
        have: has had having 've
        do: does did done doing
        go: goes went gone
        say: says said
        make: made
        take: took taken
        come: came
        see: saw seen
        know: knew known
        get: got gotten
        give: gave given
        find: found
        think: thought
        tell: told
        become: became
        leave: left
        feel: felt
        bring: brought
        begin: began begun
        keep: kept
        hold: held
        write: wrote written
        stand: stood
        hear: heard
        let: let
        mean: meant
        set: set
        meet: met
        run: ran
        pay: paid
        sit: sat
        speak: spoke spoken
        lie: lain lying
        lead: led
        read: read
        grow: grew grown
        lose: lost
        fall: fell fallen
        send: sent
        build: built
        understand: understood
        draw: drew drawn
        break: broke broken
        spend: spent
        cut: cut
        rise: rose risen
        drive: drove driven
        buy: bought
        wear: wore worn
        choose: chose chosen
        seek: sought
        throw: threw thrown
        catch: caught
        deal: dealt
        win: won
        forget: forgot forgotten
        sell: sold
        fight: fought
        teach: taught
        eat: ate eaten
        sing: sang sung
        swim: swam swum
        ride: rode ridden
        fly: flew flown flies
        drink: drank drunk
        sleep: slept
        shoot: shot
        hang: hung
        hide: hid hidden
        feed: fed
        shake: shook shaken
        bite: bit bitten
        blow: blew blown
        dig: dug
        freeze: froze frozen
        light: lit
        shine: shone
        sink: sank sunk
        slide: slid
        spin: spun
        steal: stole stolen
        stick: stuck
        strike: struck
        swing: swung
        wake: woke woken
        weave: wove woven
        bend: bent
        bleed: bled
        lend: lent
        shut: shut
        put: put
        hit: hit
        hurt: hurt
        cost: cost
        spread: spread
        bear: bore born borne
        beat: beaten
        forgive: forgave forgiven
        hang: hung
        kneel: knelt
        lay: laid
        leap: leapt
        ring: rang rung
        shrink: shrank shrunk
        sweep: swept
        tear: tore torn
        undergo: underwent undergone
        overcome: overcame
        withdraw: withdrew withdrawn
        die: dying
        tie: tying
        """;

    private const string Nouns = """
        man: men
        woman: women
        child: children
        person: people
        foot: feet
        tooth: teeth
        goose: geese
        mouse: mice
        ox: oxen
        leaf: leaves
        wolf: wolves
        knife: knives
        wife: wives
        life: lives
        half: halves
        shelf: shelves
        loaf: loaves
        thief: thieves
        calf: calves
        scarf: scarves
        elf: elves
        self: selves
        hoof: hooves
        cactus: cacti
        fungus: fungi
        criterion: criteria
        phenomenon: phenomena
        analysis: analyses
        crisis: crises
        thesis: theses
        movie: movies
        cookie: cookies
        zombie: zombies
        selfie: selfies
        brownie: brownies
        calorie: calories
        rookie: rookies
        smoothie: smoothies
        pie: pies
        tie: ties
        bus: buses
        gas: gases
        lens: lenses
        bonus: bonuses
        campus: campuses
        virus: viruses
        shoe: shoes
        toe: toes
        canoe: canoes
        glass: glasses
        niche: niches
        headache: headaches
        avalanche: avalanches
        """;

    private static readonly Dictionary<string, string> Table = Build();

    public static bool TryGet(char cls, string lowerForm, out string lemma) => Table.TryGetValue(cls + lowerForm, out lemma!);

    private static Dictionary<string, string> Build()
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(table, 'V', Verbs);
        Add(table, 'N', Nouns);
        return table;
    }

    private static void Add(Dictionary<string, string> table, char cls, string lines)
    {
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':');
            var lemma = line[..colon];
            foreach (var form in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                table.TryAdd(cls + form, lemma);
        }
    }
}
