"""A headline's bare "kill" takes its means from the first sentence; a shooting police call targeted is a
targeted killing; a second incident in one sentence or in the title's second half is its own."""
from bot.incidents import extract


def _records(title, summary):
    return [(i.type, i.place, i.killed) for i in extract(title, summary, [], {})]


def test_a_headline_kill_takes_the_means_of_the_first_sentence():
    assert _records("Gunmen kill tax official in Sibi", "A tax official was shot dead outside his home in Sibi "
                    "on Tuesday evening, police said.") == [("targeted-killing", "Sibi", 1)]
    assert _records("Militants kill three soldiers in Kohlu", "Three soldiers were killed when a roadside bomb "
                    "struck their vehicle in Kohlu, officials said.") == [("bombing", "Kohlu", 3)]


def test_a_shooting_called_targeted_stays_a_targeted_killing():
    assert _records("Two men shot dead in Mardan", "Two men were shot dead outside their house in "
                    "Mardan in what police described as a targeted attack.") == [("targeted-killing", "Mardan", 2)]


def test_a_while_clause_telling_a_separate_attack_is_its_own_incident():
    assert _records("Blast in Khuzdar, shooting in Kharan", "A bomb killed three people near a market in Khuzdar "
                    "on Friday, while in Kharan gunmen killed a shopkeeper in a separate attack.") == [
        ("bombing", "Khuzdar", 3), ("armed-attack", "Kharan", 1)]


def test_a_titles_second_half_heads_the_separate_incident():
    assert _records("Three police killed in Karak; trader shot dead in Kohat", "Three policemen were killed when "
                    "militants attacked a checkpost in Karak, police said. In a separate incident, a trader was "
                    "shot dead at his shop in Kohat.") == [("armed-attack", "Karak", 3),
                                                           ("targeted-killing", "Kohat", 1)]
