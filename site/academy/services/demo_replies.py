"""Practice replies for the demo, of varied quality, and how a reviewer answers them.

Each practice question has a few replies a trainee might really write: some a
reviewer approves, some they return with a comment that says what to change,
judged against the question's rubric. The review queue then gives a manager
something to weigh, not one reply copied for every learner.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoReply:
    text: str
    approve: bool
    comment: str  # the reviewer's comment, shown to the learner


REPLIES: dict[str, tuple[DemoReply, ...]] = {
    "reply-to-persuasive-paragraph": (
        DemoReply(
            "Thank you for sharing this, Marta. Your opening picture works: the 25 "
            "minutes at the bus stop and the broken bench make the problem real, and "
            "a reader can see it. The paragraph loses force at the end, where you say "
            'the city should "maybe" improve the service. Try stating your claim '
            "plainly in the first sentence, then let the bus stop details prove it. "
            "Post the revised version here and we can look at it together.",
            True,
            "Warm, specific, and it leaves Marta one clear next step.",
        ),
        DemoReply(
            "Hi Marta, thanks for asking so openly. The strongest part is your detail: "
            "forty people, 25 minutes, a bench broken since last year. Those facts do "
            "the persuading for you, because a reader can picture the queue in the "
            'rain. What weakens it is the last sentence. After all that evidence, "I '
            'think the city should maybe improve the bus service" sounds unsure. '
            "Decide on the one change you are asking for (a shelter? more buses at "
            "8:00?) and say it firmly. Would you like to post the new version here?",
            True,
            "The strength is named and explained, and the step is about the argument.",
        ),
        DemoReply(
            "Hello Marta! Your paragraph has a clear topic and the bus stop example is "
            "vivid; I could really see the people waiting in the rain. My main "
            'suggestion is about the ending: the word "maybe" makes your request '
            "sound weak, so say exactly what the city should do. Smaller things: "
            '"apointments" needs a double p, and the second sentence is very long. '
            "But start with the ending. Good luck, and share the next draft if you "
            "like!",
            True,
            "Approved. The spelling note is one item too many: lead with the claim "
            "and leave the rest for her next draft.",
        ),
        DemoReply(
            'Hi Marta, here is a more convincing version you could use: "The city '
            "must build a shelter and repair the bench at the Rua Augusta stop now. "
            "Every morning forty people, many of them elderly, wait 25 minutes in the "
            'rain." Just copy this and it should get a good mark. The problem was '
            'that your sentences are too long and you used "I think" and "maybe". '
            "Hope this helps!",
            False,
            "You rewrote her paragraph and predicted a mark. Name one strength, point "
            "to the hesitant claim as the one next step, and let her do the rewriting.",
        ),
        DemoReply(
            "Honestly, there are quite a few problems here. 1) The sentences are too "
            "long. 2) Apointments is misspelt. 3) There is no real thesis. 4) The "
            "parking sentence does not connect to anything. 5) Maybe is a weak word. "
            "6) The ending is flat. You seem unsure of your own argument. Fix these "
            "and it will be much better.",
            False,
            'Six problems at once, and "you seem unsure" is about her, not the work. '
            "Start with a strength, then choose the one step that matters most: the "
            "late, hesitant claim.",
        ),
    ),
    "reply-to-first-idea": (
        DemoReply(
            "Welcome to the forum, Mei, and not a silly question at all. What you "
            "noticed is close to the testing effect: explaining to your sister made "
            "you pull the idea out of memory instead of rereading it. Does it feel "
            "different when she asks you questions back? Has anyone else tried "
            "explaining a topic to a friend or family member this week? Tell us what "
            "you noticed.",
            True,
            "Welcoming, builds on her idea, and opens the thread to others.",
        ),
        DemoReply(
            "Hi Mei, welcome, and this is exactly the right thread! Explaining "
            "short-term memory to your sister at dinner and still remembering it the "
            "next day is a great observation. Something to think about: in the "
            "lecture, what did the people in the testing-effect studies have to do "
            "with the material? Is explaining to your sister more like rereading, or "
            "more like that? Everyone else: have you ever taught something to a "
            "friend and noticed it stuck? Share one example below.",
            True,
            "The guiding question lets Mei make the link herself. Well done.",
        ),
        DemoReply(
            "Welcome Mei! Good question. The testing effect means that retrieving "
            "information from memory strengthens it more than studying it again. "
            "Explaining something to your sister is a kind of retrieval, so yes, it "
            "is related, although some researchers call it the protégé effect, or "
            "learning by teaching. Both are well documented. Does anyone else use "
            "this trick? Let us know in the thread.",
            True,
            "Warm and accurate. Next time try a question that lets her find the link "
            "before you give it to her.",
        ),
        DemoReply(
            "Hello. Please check the course FAQ and the lecture slides for the "
            "definition of the testing effect; it is explained there in detail. Also, "
            'a small tip for your writing: say "I have noticed" rather than "I '
            'noticed", and there is no need to apologise for asking. Good luck with '
            "Week 3.",
            False,
            "This sends her to the FAQ and corrects her English on her first post. "
            "Welcome her, take up the idea about her sister, and ask one question "
            "that invites others in.",
        ),
        DemoReply(
            "Hi Mei, yes, that is basically the testing effect, well spotted! "
            "Retrieval practice works better than rereading, which is why flashcards "
            "and practice quizzes are recommended in this course too. So you are "
            "already doing the right thing. Keep it up, and see you in the next "
            "thread.",
            False,
            "Friendly, but it answers for her and closes the thread. Ask a guiding "
            "question and invite other learners to share their experience.",
        ),
    ),
    "calm-heated-thread": (
        DemoReply(
            "Let's take a breath, everyone. This started as a good question about "
            "this week's reading, and there is real evidence worth discussing. Please "
            "keep comments about the studies, not about each other; remarks about "
            "people will be hidden. Rafael and Greta, could each of you share the one "
            "study you find most convincing, with a sentence on its method? Then we "
            "can compare them against the reading from Week 4.",
            True,
            "Calm, neutral, and it brings both back to the evidence.",
        ),
        DemoReply(
            "Hi both, and everyone reading. This thread began with a really good "
            "question, whether saturated fat raises the risk of heart disease, and "
            "it is clear you both care about getting it right. The last few replies "
            "have become about each other rather than the science, so let's step "
            "back. Our guideline asks us to answer ideas, not people. Could each of "
            "you share the study or the part of this week's lecture that convinced "
            "you, with a line on what it measured?",
            True,
            "Restates the question, praises the interest and asks for evidence.",
        ),
        DemoReply(
            "Hello everyone. Please remember the course guidelines: be respectful and "
            "keep the discussion on topic. Whether saturated fat raises heart disease "
            "risk is a genuinely debated question, and this week's reading covers "
            "several studies. It would help if anyone making a claim linked the study "
            "they rely on. Let's continue the discussion in that spirit.",
            True,
            "Calm and on topic. It reads a little formal; a warm word about their "
            "interest in the question would help it land.",
        ),
        DemoReply(
            "Rafael is right that the evidence links saturated fat to heart disease; "
            "the major reviews agree on this. Greta, calling people government "
            "parrots is not OK. Please both stop the insults or I will have to report "
            "this thread to the staff, and you may be banned from the forum. Let's "
            "get back to the reading.",
            False,
            "This takes a side, blames one learner by name and threatens a ban. Stay "
            "neutral, speak about the replies rather than the people, and ask both "
            "for their evidence.",
        ),
        DemoReply(
            "Wow, this escalated quickly! Come on, we are all adults here. Can we "
            "please keep it civil? Nobody is going to convince anybody by shouting. "
            "Maybe take a break from the thread and come back when you have both "
            "cooled down a bit, okay? Thanks everyone.",
            False,
            "The tone can read as mocking, and it does not bring the thread back to "
            "the question. Restate the question, say something positive about it, "
            "and ask for evidence.",
        ),
    ),
    "reply-to-tired-learner": (
        DemoReply(
            "Hi Oksana, three days on one bug is tiring, and you have done the hard "
            "part already: the loop and the vowel check are right. I can't send code "
            "privately, but here is a hint: look at where the return line sits. How "
            "many letters does the loop check before it returns? About the extra "
            "day, only the course staff can change deadlines; the course page shows "
            "yours in your own time zone. Try the hint and tell us here what you "
            "find.",
            True,
            "Kind, honest about deadlines, and the hint leaves the fix to her.",
        ),
        DemoReply(
            "Hello Oksana. Three days is a long time on one problem, and you have "
            "done a lot right: the loop and the vowel check are correct. I can't "
            "send code by private message, because help in the forum helps other "
            'learners too. Here is a hint: try your function on the word "a", then '
            'on "ba". What does it return each time? Mentors can\'t change '
            "deadlines; the course staff can answer about an extension. Try the hint "
            "and write here what you find.",
            True,
            "Plain English, a good guiding test, and it says why help stays public.",
        ),
        DemoReply(
            "Hi Oksana, sorry to hear you are so tired. Your code is very close! "
            "Hint: put print(letter) inside the loop and run it with banana. How many "
            "letters are printed? That tells you where the problem is. We keep help "
            "in the forum so everyone can learn, so I won't send code privately. For "
            "the extra day, please contact the course staff. Hang in there!",
            True,
            'A good hint. "Hang in there" is an idiom some learners will not know; '
            "plain words travel better.",
        ),
        DemoReply(
            "Hi Oksana, no problem, here is the fixed version. The return was inside "
            "the loop, so it stopped after the first letter:\n\n"
            "def count_vowels(text):\n    count = 0\n    for letter in text:\n"
            '        if letter in "aeiou":\n            count = count + 1\n'
            "    return count\n\n"
            "That should pass the tests now. About the extra day, I will see what I "
            "can do; just send me your username.",
            False,
            "This posts the corrected code and promises help with a deadline mentors "
            "cannot change. Give a hint instead, and point her to the staff for an "
            "extension.",
        ),
        DemoReply(
            "Hello. We can't give out solutions and we don't do private messages. "
            "Deadlines are set by the course team, not by mentors. Please read the "
            "forum guidelines before posting. Your code has a simple indentation "
            "error, which you should be able to find if you go through it line by "
            "line.",
            False,
            "Accurate, but cold, and it does not acknowledge her effort. Greet her by "
            "name, give one guiding hint, and invite her to reply with what she finds.",
        ),
    ),
}
