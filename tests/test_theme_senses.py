"""Cue words in their other senses: a regional item that uses one so gets no theme from it.

Each case names Pakistan or Afghanistan, so the region step lets it through and only the cue's
sense can keep the theme away; each has a counterpart in the theme's own sense that keeps it.
"""

import pytest

from bot.matching.catalog import load_catalog
from bot.matching.matcher import Matcher

MATCHER = Matcher(load_catalog())


def themes_of(title: str, summary: str) -> set[str]:
    return {score.theme for score in MATCHER.match(title, summary).themes}


@pytest.mark.parametrize("theme, title, summary", [
    ("militant-attacks", "Pakistan minister to attend Dhaka swearing-in",
     "He returned to Bangladesh after years in exile, far from the capital's political storms."),
    ("militant-attacks", "Pakistan's ruling party storms to victory in Punjab by-polls",
     "The party won nine of twelve seats."),
    ("militant-attacks", "Bangladesh PM sworn in; Pakistan's president sends greetings",
     "He is the son of assassinated President Ziaur Rahman and took the oath in the presence of diplomats."),
    ("militant-attacks", "Pakistani film bombs at the box office", "The big-budget sequel was a costly flop."),
    ("militant-attacks", "Former Pakistan captain dies of heart attack in Lahore",
     "He was taken to hospital but was declared dead."),
    ("militant-attacks", "Pakistan's tax authority hit by cyber attack",
     "Hackers attacked its servers; officials said no data was seized."),
    ("militant-attacks", "Winter storm kills four in Pakistan's north",
     "Heavy snow blocked roads in Gilgit-Baltistan."),
    ("militant-sanctuaries", "Would you shelter under Pakistan's nuclear umbrella?", "Saudi Arabia rolls the dice."),
    ("militant-sanctuaries", "Karachi harbour expansion approved", "Pakistan's port authority is hosting a trade fair."),
    ("border-trade", "Pakistan's trade gap with the Gulf narrows",
     "Exports to the Middle East fell while imports from the UAE rose."),
    ("humanitarian-rights", "Pakistan and Austria agree to strengthen ties",
     "They agreed on cooperation in trade, education and health, and the promotion of human rights,"
     " and to jointly ban illegal immigration."),
    ("ceasefire-talks", "Pakistan sugar mills agree truce in price war", "Talks with retailers collapsed last week."),
    ("ceasefire-talks", "Pakistan resumes trade talks with the Gulf states",
     "Negotiations over tariffs collapsed last year."),
    ("ceasefire-talks", "Pakistan in talks over fighter jet purchase", "Negotiations on the price broke down in May."),
    ("terror-designations", "ICC bans Pakistani bowler for suspect action",
     "The sanctions follow a test of his bowling action."),
    ("cross-border-attacks", "Traders' strike on Monday shuts Chaman border crossing",
     "Afghan and Pakistani traders went on a general strike on Monday over new passport rules."),
    ("sectarian-violence", "Provincial minister Saleem Ahmadi opens Quetta road project",
     "The Balochistan communications minister said the highway would be finished next year."),
    ("sectarian-violence", "Gunmen kill police inspector Khalil Ahmadi in Quetta",
     "He was shot dead near his home in Balochistan's capital."),
    ("sectarian-violence", "Landslide blocks Hazara Motorway in Khyber Pakhtunkhwa", "Gunmen were not involved; no one was killed."),
    ("sectarian-violence", "Quake in the Hindu Kush kills two in Pakistan's Chitral", "Mud houses collapsed, officials said."),
    ("refugees-migration", "Pentagon has no plan to send troops back to Afghanistan", "The spokesman ruled out a return to Bagram."),
    ("counterterrorism-cooperation", "TTP offers talks with the government of Pakistan",
     "The group demands the return of the tribal areas' old status before any dialogue with the government."),
    ("ceasefire-talks", "Pakistan's government denies negotiations with the opposition",
     "The minister said there was no dialogue with the party outside parliament."),
    ("terror-designations", "US sanctions Pakistani suppliers of its missile programme",
     "The sanctions target firms said to supply ballistic missile parts."),
    ("refugees-migration", "Four years after US troops left Afghanistan, veterans look back",
     "American forces left the country in August 2021."),
    ("refugees-migration", "Afghan minister for refugees opens a hospital wing in Kabul",
     "The Taliban's minister for refugees and repatriation cut the ribbon with Chinese donors."),
    ("border-trade", "Pakistani and Afghan troops trade heavy fire near a crossing",
     "Guards traded machine-gun fire for hours at the Kharlachi crossing."),
    ("humanitarian-rights", "Mild tremor felt in Islamabad, Pakistan's met office says",
     "The 4.1 magnitude earthquake caused no damage."),
])
def test_cue_in_another_sense_gives_no_theme(theme, title, summary):
    assert theme not in themes_of(title, summary)


@pytest.mark.parametrize("theme, title, summary", [
    ("militant-attacks", "Militants storm police station in Lakki Marwat",
     "Gunmen stormed the station in Khyber Pakhtunkhwa; four policemen were killed."),
    ("militant-attacks", "Tribal elder assassinated in North Waziristan",
     "Gunmen on a motorbike shot him dead in Pakistan's tribal district."),
    ("militant-sanctuaries", "Pakistan says Kabul shelters TTP leaders",
     "Islamabad accused the Taliban of harbouring militants on Afghan soil."),
    ("border-trade", "Torkham reopens for trade after a week",
     "Trucks carrying goods crossed the border into Afghanistan."),
    ("humanitarian-rights", "Taliban ban on women aid workers deepens Afghan crisis",
     "Aid agencies said the ban on women working for NGOs cut humanitarian aid to millions."),
    ("ceasefire-talks", "Pakistan and the TTP agree a truce after talks in Kabul",
     "The Afghan Taliban mediated the ceasefire."),
    ("militant-sanctuaries", "TTP leaders plan attacks from inside Afghanistan, Pakistan says",
     "Islamabad said the group's commanders direct raids in Bajaur from across the border."),
    ("ceasefire-talks", "Pakistani Taliban end their halt to attacks", "The TTP said the pause in fighting with Pakistan was over."),
    ("refugees-migration", "Pakistan sends back undocumented Afghans through Chaman", "Families without papers were pushed back."),
    ("cross-border-attacks", "Afghan forces fire mortars at Pakistani posts in Bajaur",
     "Pakistan said Afghan troops fired shells across the frontier and it responded."),
    ("cross-border-attacks", "Pakistani jets strike TTP hideouts across the border in Afghanistan",
     "Kabul said Pakistani strikes on Paktika killed civilians."),
    ("cross-border-attacks", "Pakistani and Afghan troops trade heavy fire near a crossing",
     "Guards traded machine-gun fire for hours at the Kharlachi crossing."),
    ("sectarian-violence", "Gunmen kill three Ahmadis in Punjab's Sheikhupura",
     "Attackers opened fire on members of the Ahmadi community in Pakistan as they left prayers."),
    ("militant-sanctuaries", "TTP chief moves freely in Afghanistan, Pakistani officials say",
     "They said he travels with the knowledge of Taliban officials who give his men permits."),
    ("humanitarian-rights", "Earthquake flattens villages in Afghanistan's Paktika",
     "Rescuers dug through rubble as survivors waited for relief."),
    ("us-counterterrorism", "US wants Bagram air base back, Trump says",
     "American forces left the base in Afghanistan in 2021."),
    ("counterterrorism-cooperation", "Pakistan and Tajikistan to share intelligence on the TTP",
     "The two sides set up a joint working group against militants."),
    ("regional-diplomacy", "Iran and Afghanistan foreign ministers meet in Kabul",
     "The Taliban's Amir Khan Muttaqi and his Iranian counterpart discussed water and trade."),
    ("refugees-migration", "Iran forces thousands of Afghans back across the border",
     "Undocumented Afghans were bussed back to Islam Qala."),
    ("counterterrorism-cooperation", "Pakistan and Iran agree to act jointly against separatists",
     "The two sides will share intelligence on fighters who cross their border."),
    ("terror-designations", "Australia lists the TTP as a terrorist organisation",
     "The listing makes it a crime to fund or join the Pakistani group."),
    ("militant-attacks", "Grenade attack on a police van in Pakistan's Bajaur",
     "Unknown men threw a hand grenade at the vehicle, wounding three."),
    ("militant-sanctuaries", "Iran says the attackers slipped back into Pakistani territory",
     "Tehran said the group keeps its bases across the border."),
    ("border-trade", "Chaman traders end sit-in over travel documents",
     "Daily crossers at the Pakistan-Afghanistan border had protested the single document rule."),
])
def test_cue_in_its_own_sense_keeps_the_theme(theme, title, summary):
    assert theme in themes_of(title, summary)


def test_a_theme_needing_a_side_is_met_by_a_place_inside_it_or_a_member():
    """Bajaur stands for Pakistan and Muttaqi for the Taliban when a theme needs them."""
    assert "cross-border-attacks" in themes_of(
        "Afghan forces fire on posts in Bajaur", "Afghan troops shelled border posts in Bajaur overnight.")
    assert "recognition-legitimacy" in themes_of(
        "Amir Khan Muttaqi says recognition of his government is near",
        "He said more countries would soon grant formal recognition.")


def test_forces_killing_militants_is_not_a_militant_attack_but_a_repelled_one_is():
    assert "militant-attacks" not in themes_of(
        "Pakistani troops kill six militants in North Waziristan", "Security forces killed them in a raid.")
    assert "militant-attacks" in themes_of(
        "Suicide bombers storm police compound in Bannu, Pakistan",
        "Security forces killed all five attackers after a car bomb blew open the gate; three policemen died.")


def test_a_neighbour_the_catalog_does_not_track_stands_in_by_its_words():
    """Kazakhstan is no catalog entity, yet its talks with Kabul are regional diplomacy."""
    assert "regional-diplomacy" in themes_of(
        "Kazakhstan's foreign minister meets Taliban counterpart in Astana",
        "The two governments agreed to expand bilateral trade with Afghanistan.")
    assert "regional-diplomacy" not in themes_of(
        "Norway's foreign minister meets Taliban counterpart in Oslo",
        "The two governments agreed to expand bilateral trade with Afghanistan.")


def test_stand_in_words_are_read_from_a_watch_theme_and_bad_ones_are_named():
    from bot.matching.catalog import CatalogError
    from bot.matching.themes import ThemeScorer

    watch = {"themes": {"dam-disputes": {
        "cues": {"dams?": 3}, "threshold": 3,
        "entities": [[{"words": "helmand river"}, "iran"], ["afghanistan"]]}}}
    catalog = load_catalog(watch)
    matcher = Matcher(catalog, ThemeScorer(catalog))
    assert "dam-disputes" in matcher.match("Afghan dam on the Helmand river angers farmers",
                                           "Work on the dam in Afghanistan resumed.").theme_ids
    assert "dam-disputes" not in matcher.match("Afghan dam on the Kokcha angers farmers",
                                               "Work on the dam in Afghanistan resumed.").theme_ids
    watch["themes"]["dam-disputes"]["entities"] = [[{"words": "a", "more": "b"}], ["afghanistan"]]
    with pytest.raises(CatalogError, match="dam-disputes"):
        load_catalog(watch)
    watch["themes"]["dam-disputes"]["entities"] = [[{"words": "(unclosed"}], ["afghanistan"]]
    with pytest.raises(CatalogError, match="bad pattern"):
        load_catalog(watch)


def test_soil_named_in_passing_is_no_sanctuary_but_soil_used_by_groups_is():
    assert "militant-sanctuaries" not in themes_of(
        "Pakistan and China to extend the corridor into Afghan territory",
        "Foreign ministers of Pakistan, China and Afghanistan met in Kabul.")
    assert "militant-sanctuaries" in themes_of(
        "Iran says gunmen came from bases on Pakistani soil",
        "Tehran urged Islamabad to act against the group.")
    assert "militant-sanctuaries" in themes_of(
        "Fighters regroup in eastern Afghanistan with the Taliban's tolerance, Pakistan says",
        "Islamabad said the TTP commanders were massing near the border.")


def test_us_counterterrorism_told_through_custody_or_the_cia():
    assert "us-counterterrorism" in themes_of(
        "Pakistan hands IS-K commander to the United States",
        "He was arrested in Balochistan and is accused over the Kabul airport bombing.")
    assert "us-counterterrorism" in themes_of(
        "CIA drone kills al-Qaeda chief in Kabul", "The strike hit a house in Afghanistan's capital.")


def test_security_services_agreeing_to_swap_intelligence_is_cooperation_a_vague_mention_is_not():
    assert "counterterrorism-cooperation" in themes_of(
        "Uzbek and Afghan security services agree to swap intelligence on IS-K",
        "They signed a memorandum on sharing information about militant cells.")
    assert "counterterrorism-cooperation" not in themes_of(
        "Lawyer of Pakistani militant speaks to reporters", "Intelligence agencies watched him for years, she said.")


def test_removals_terror_labels_and_armed_men_told_in_other_words():
    assert "refugees-migration" in themes_of(
        "Germany flies 28 Afghan offenders to Kabul", "The charter left Leipzig on Friday.")
    assert "refugees-migration" in themes_of(
        "Evicted Afghan families wait at Torkham", "Police in Peshawar cleared their rented homes.")
    assert "terror-designations" in themes_of(
        "Washington labels the BLA a foreign terrorist group", "Pakistan welcomed the listing.")
    assert "militant-attacks" in themes_of(
        "Seven labourers shot dead in Balochistan", "Armed men stopped a bus in Kalat and killed seven workers.")
    assert "militant-attacks" not in themes_of(
        "Tajik guards kill armed men crossing from Afghanistan", "The guards said three armed men were killed.")


def test_groups_backed_by_the_afghan_side_are_a_sanctuary_a_backed_plan_is_not():
    assert "militant-sanctuaries" in themes_of(
        "ISPR: infiltrators were backed by Afghan Taliban posts",
        "Pakistan said the militants crossed into North Waziristan.")
    assert "militant-sanctuaries" not in themes_of(
        "Pakistan's budget plan backed by the IMF", "Islamabad said the fund supported its reforms.")


def entities_of(title: str, summary: str) -> set[str]:
    return set(MATCHER.match(title, summary).entities)


def test_the_doha_deal_described_not_named_is_the_agreement_another_2020_deal_is_not():
    assert "doha-agreement" in entities_of(
        "Taliban cite the 2020 accord in rejecting US troops", "Washington wants a base in Afghanistan.")
    assert "doha-agreement" in entities_of(
        "Ex-envoy defends the deal the US struck with the Taliban", "He said the withdrawal was not his decision.")
    assert "doha-agreement" not in entities_of(
        "Pakistan recalls its 2020 deal with the IMF", "The loan programme was suspended that year.")
    assert "doha-agreement" not in entities_of(
        "Pakistan's truce deal with the Taliban holds", "Officials met in Kabul.")


def test_a_foreign_army_s_presence_is_no_sanctuary_a_sheltered_leader_is():
    assert "militant-sanctuaries" not in themes_of(
        "Taliban reject any US military presence on Afghan soil", "Kabul said Washington must not return.")
    assert "militant-sanctuaries" in themes_of(
        "Report: Haqqanis sheltered the al-Qaeda chief in Kabul", "He lived in a guarded villa in Afghanistan.")
    assert "refugees-migration" not in themes_of(
        "Taliban say foreign fighters will not be expelled from Afghanistan", "They live with local families.")


def test_other_words_for_rewards_floods_and_attacks_on_the_other_side_s_posts():
    assert "terror-designations" in themes_of(
        "Punjab announces head money for TTP commanders", "The notification lists 20 names.")
    assert "humanitarian-rights" in themes_of(
        "Cloudburst in Swat sweeps away homes", "Khyber Pakhtunkhwa's disaster authority sent rescuers.")
    assert "cross-border-attacks" in themes_of(
        "Afghan forces target Pakistani posts on the Durand Line", "Islamabad said its troops responded.")
    assert "militant-attacks" not in themes_of(
        "Security forces kill 12 terrorists in Bajaur", "Pakistan's military said the militants were hiding in a compound.")


def test_a_material_support_charge_kidnapping_by_militants_and_a_mob_s_arson():
    themes = themes_of("Justice Department charges Afghan man with material support for IS-K",
                       "Federal prosecutors say he wired money to the group.")
    assert "us-counterterrorism" in themes and "militant-sanctuaries" not in themes
    assert "militant-attacks" in themes_of(
        "Engineer kidnapped in Lakki Marwat", "Police said he was abducted by militants near his site.")
    themes = themes_of("Mob sets fire to Ahmadi homes in Punjab, Pakistan",
                       "An angry mob torched houses after a blasphemy accusation.")
    assert "sectarian-violence" in themes and "militant-attacks" not in themes


def test_the_office_a_sum_offered_and_a_council_vote_told_in_other_words():
    assert "uzbekistan" in entities_of("Uzbek FM meets Taliban in Kabul", "They discussed the railway.")
    assert "terror-designations" in themes_of(
        "US offers $5m for TTP financier in Pakistan", "Information on him will be rewarded.")
    assert "regional-diplomacy" in themes_of(
        "Security Council vote on Taliban travel waivers delayed", "Russia and China pressed for exemptions.")


def test_a_sanctuary_told_through_papers_hosts_guards_or_training_troops_drilling_are_not_one():
    assert "militant-sanctuaries" in themes_of(
        "Pakistan says Kabul gave tazkiras to TTP men", "The papers let them travel unhindered, officials said.")
    assert "militant-sanctuaries" in themes_of(
        "Taliban host al-Qaeda men in Kunar, report says", "Their compounds are guarded by the Taliban.")
    assert "militant-sanctuaries" in themes_of(
        "Bombers in Bannu attack trained in Afghanistan, police say", "Pakistan's police named the handlers.")
    themes = themes_of("Tajik and Russian troops hold drills against militants",
                       "Soldiers trained to repel fighters crossing from Afghanistan.")
    assert "militant-sanctuaries" not in themes and "counterterrorism-cooperation" in themes


def test_a_claimed_attack_is_one_a_planner_killed_later_is_not():
    assert "militant-attacks" in themes_of(
        "TTP spokesman says group behind Peshawar attack", "Pakistan's police said its men targeted a police station.")
    assert "militant-attacks" not in themes_of(
        "US confirms killing of IS-K planner behind Kabul attack", "The operation was in Afghanistan.")


def test_talks_told_as_a_next_round_or_talking_to_militants_but_talks_with_the_taliban_government_are_not():
    assert "ceasefire-talks" in themes_of(
        "Bajaur elders call for peace, urge talks with militants", "Khyber Pakhtunkhwa's government said it would listen.")
    assert "ceasefire-talks" not in themes_of(
        "Uzbek minister in Kabul for talks with Taliban", "They discussed the railway and trade.")
    assert "counterterrorism-cooperation" in themes_of(
        "China, Pakistan and Afghanistan agree to fight the three evil forces", "Beijing hosted the ministers.")


def test_returns_from_a_neighbour_a_spy_drone_and_a_crowd_s_arson():
    assert "refugees-migration" in themes_of(
        "Afghans returned from Iran this year, UN says", "Most came back from Pakistan too.")
    assert "us-counterterrorism" in themes_of(
        "Taliban say American spy drone downed in Afghanistan", "The unmanned aircraft crashed in Khost.")
    themes = themes_of("Hindu temple in Sindh, Pakistan set on fire", "A crowd set fire to the building.")
    assert "sectarian-violence" in themes and "militant-attacks" not in themes
