"""Generates the demo text corpus: short children's stories from a small grammar.

Every story is one line of plain ASCII: characters, places, things and feelings drawn from fixed word lists, put
into simple sentences that keep the same character (and pronoun) through the story. The generator is seeded, so
the same seed always gives the same corpus.

    python3 corpus.py --stories 40000 --seed 1 > corpus.txt
    python3 corpus.py --words > words.txt      # every word the corpus uses, one a line (tests read it)
"""
import argparse
import random

GIRLS = ["Lily", "Mia", "Anna", "Sue", "Emma", "Lucy", "Sara", "Amy", "Zoe", "Kim"]
BOYS = ["Tom", "Ben", "Max", "Sam", "Leo", "Jack", "Tim", "Dan", "Joe", "Bob"]
# (kind, pronoun) for the main character when it is not a child
ANIMALS = ["cat", "dog", "bird", "fox", "bear", "frog", "duck", "bunny", "mouse", "pig"]
SIZES = ["little", "big", "small", "tiny"]
TRAITS = ["happy", "kind", "brave", "funny", "shy", "curious", "friendly", "sleepy"]
PLACES = ["park", "garden", "forest", "house", "school", "farm", "beach", "yard", "village", "town"]
PLAYS = ["play", "run", "jump", "sing", "dance", "read", "draw", "swim"]
COLORS = ["red", "blue", "green", "yellow", "pink", "purple", "orange", "white", "black", "brown"]
THINGS = ["ball", "box", "kite", "hat", "book", "toy", "cup", "flower", "stone", "shell", "key", "car"]
SPOTS = ["under a tree", "near the river", "in the grass", "on the hill", "behind the house", "by the pond",
         "in the sand", "next to a rock"]
GOOD_FEELINGS = ["happy", "excited", "glad", "proud"]
BAD_FEELINGS = ["sad", "scared", "angry", "worried"]
PROBLEMS = ["the {thing} fell into the water", "the wind took the {thing} away", "the {thing} got stuck in a tree",
            "a dog ran off with the {thing}"]
HELPS = ["{friend} helped {obj} get it back", "{friend} used a long stick to get it back",
         "{friend} found it and gave it back", "{friend} and {name} looked for it until they found it"]
LESSONS = ["It is good to share with your friends.", "Friends help each other.", "It is good to be kind.",
           "Never give up."]
ENDINGS = ["{Name} went home and told mom about the day.", "{Name} and {friend} played until the sun went down.",
           "That night, {name} went to bed with a big smile.", "{Name} and {friend} became best friends."]


class Character:
    def __init__(self, rng):
        roll = rng.random()
        if roll < 0.35:
            self.name, self.kind, self.subj = rng.choice(GIRLS), "girl", "she"
        elif roll < 0.7:
            self.name, self.kind, self.subj = rng.choice(BOYS), "boy", "he"
        else:
            self.kind = rng.choice(ANIMALS)
            self.subj = rng.choice(["he", "she"])
            self.name = rng.choice(GIRLS if self.subj == "she" else BOYS)
        self.obj = "her" if self.subj == "she" else "him"
        self.poss = "her" if self.subj == "she" else "his"


def cap(text):
    return text[0].upper() + text[1:]


def article(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def story(rng):
    hero = Character(rng)
    friend = Character(rng)
    while friend.name == hero.name:
        friend = Character(rng)
    place = rng.choice(PLACES)
    color = rng.choice(COLORS)
    thing = rng.choice(THINGS)
    out = []
    desc = rng.choice(SIZES) + " " + (rng.choice(TRAITS) + " " if rng.random() < 0.5 else "") + hero.kind
    out.append(rng.choice([
        f"Once upon a time, there was {article(desc)} named {hero.name}.",
        f"Once upon a time, in a small {rng.choice(['village', 'town'])}, there lived {article(desc)} named {hero.name}.",
    ]))
    out.append(rng.choice([
        f"{hero.name} liked to {rng.choice(PLAYS)} in the {place}.",
        f"{cap(hero.subj)} loved to {rng.choice(PLAYS)} with {hero.poss} friends.",
        f"Every day, {hero.name} went to the {place} to {rng.choice(PLAYS)}.",
    ]))
    out.append(rng.choice([
        f"One day, {hero.name} found {article(color + ' ' + thing)} {rng.choice(SPOTS)}.",
        f"One day, {hero.name} saw {article(color + ' ' + thing)} {rng.choice(SPOTS)}.",
    ]))
    out.append(rng.choice([
        f"{hero.name} was very {rng.choice(GOOD_FEELINGS)}.",
        f"{cap(hero.subj)} said, \"What a nice {thing}!\"",
        f"{hero.name} said, \"I will keep this {thing}.\"",
    ]))
    fdesc = (rng.choice(TRAITS) + " " if rng.random() < 0.5 else "") + friend.kind
    out.append(f"Then {hero.name} met {friend.name}, {article(fdesc)}.")
    out.append(rng.choice([
        f"They played with the {thing} together.",
        f"{friend.name} wanted to play with the {thing} too.",
        f"{hero.name} showed the {thing} to {friend.name}.",
    ]))
    if rng.random() < 0.6:
        out.append("But then " + rng.choice(PROBLEMS).format(thing=thing) + ".")
        out.append(f"{hero.name} was {rng.choice(BAD_FEELINGS)}.")
        out.append(cap(rng.choice(HELPS).format(friend=friend.name, name=hero.name, obj=hero.obj)) + ".")
        out.append(f"{hero.name} said, \"Thank you, {friend.name}!\"")
    out.append(rng.choice(ENDINGS).format(Name=hero.name, name=hero.name, friend=friend.name))
    if rng.random() < 0.4:
        out.append(rng.choice(LESSONS))
    return " ".join(out)


def stories(count, seed):
    rng = random.Random(seed)
    return [story(rng) for _ in range(count)]


def words(lines):
    """The distinct words of `lines`, punctuation stripped, sorted."""
    return sorted({w.strip('.,!"') for line in lines for w in line.split()} - {""})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--words", action="store_true", help="print the corpus' words instead of its stories")
    args = parser.parse_args()
    if args.words:
        for word in words(stories(args.stories, args.seed)):
            print(word)
        return
    for line in stories(args.stories, args.seed):
        print(line)


if __name__ == "__main__":
    main()
