#!/usr/bin/env python3
"""Writes src/Gateway/Identity/Passwords/common-passwords.txt: the weak passwords and password "cores" the gateway's
password policy refuses (Shop.Gateway.Identity.Passwords.PasswordPolicy).

The list is curated, not downloaded: the passwords that lead every published breach corpus, and the words people build
passwords from (names, pets, sports, places, brands, feelings, keyboard walks). The policy compares a password with it
twice: as typed (lower-cased), and as its core — lower-cased, leading and trailing digits and symbols removed, common
letter substitutions undone (p@ssw0rd -> password) — so "Dragon2024!" and "P@ssword12" are caught by "dragon" and
"password" without listing every suffix. Run it again after changing the seeds; the output is sorted and unique.
"""
import pathlib

TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football monkey
letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777
121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew
tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle
jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese
amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix
mobilemail mom monitor monitoring montana moon moscow welcome welcome1 admin administrator root toor guest login
passw0rd password1 password123 qwerty123 qwerty1 1q2w3e4r 1q2w3e4r5t q1w2e3r4 q1w2e3r4t5 zaq12wsx zaq1zaq1 1qazxsw2
abcd1234 abcdef abcdefg abcdefgh 123abc a1b2c3 a1b2c3d4 aa123456 qwe123 asd123 zxc123 1234qwer qwer1234 asdf1234
zxcv1234 asdfghjkl asdfasdf qwertz azerty azertyuiop 1a2b3c4d passpass secret secret123 changeme changeit default
letmein1 trustme whatever nothing iloveu iloveyou1 lovely loveme fuckyou fuckoff asshole bitch sexy hello hello123
hellokitty hi test test123 testing tester demo sample example shop shopping store customer user username account
myspace facebook google yahoo hotmail gmail outlook apple samsung microsoft windows linux ubuntu android iphone
nintendo playstation xbox minecraft pokemon fortnite roblox zelda mario sonic naruto goku anime cookie cookies
chocolate banana orange apple123 strawberry cherry peanut butter pizza burger coffee cheese123 bubbles flower flowers
rainbow sunshine1 butterfly angel angels baby babygirl babyboy princess1 prince king queen lucky lucky7 money money123
dollar million rich gold silver diamond platinum blessed jesus god christ heaven church faith hope grace trinity
purple yellow black white blue green red pink silver1 brown grey gray violet magenta cyan
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday spring summer1 autumn winter
qazwsxedc qweasdzxc qweasd qwaszx 1qaz2wsx3edc zxcvbnm1 asdzxc poiuytrewq lkjhgfdsa mnbvcxz 0987654321
147258369 741852963 159357 147258 369258147 123654 321654 456789 789456 123789 963852741 852456 11223344
12121212 123123123 12341234 11112222 00000000 99999999 88888888 22222222 33333333 44444444 55555555 66666666 77777777
101010 202020 123456a 123456q a123456 q123456 1234abcd abcd123 abc12345 password! password1! p@ssw0rd p@ssword
pa55word pa55w0rd passw0rd1 letmein123 welcome123 admin123 admin1 root123 qwerty12 qwerty1234 asdf qwer zxcv
superstar rockstar starwars1 jedi vader skywalker yoda matrix1 neo trinity1 morpheus hacker h4ck3r cyber security
firewall internet network server database oracle mysql postgres postgresql sqlserver
"""

WORDS = """
love lover loving kiss hug heart sweet sweetie sweetheart honey darling sugar cutie cute pretty beauty beautiful
happy smile friend friends family mother father mommy daddy mama papa sister brother son daughter wife husband
forever always together baby girl boy lady man woman kid kids child children teen
dog doggy puppy cat kitty kitten tiger lion bear wolf fox eagle falcon hawk shark dolphin whale horse pony
dragonfly spider snake cobra viper python panther leopard jaguar cheetah monkey1 gorilla rabbit bunny turtle
fish bird chicken duck goose mouse rat pig piggy cow bull buffalo zebra giraffe elephant rhino hippo
football soccer1 baseball1 basketball hockey1 tennis golf rugby cricket boxing karate judo ninja samurai warrior
soldier army navy marine pilot captain sergeant general major hunter1 killer1 sniper shooter gamer player
arsenal chelsea1 liverpool manchester united barcelona madrid juventus milan bayern celtic rangers1 everton
yankees1 redsox cowboys steelers packers eagles giants lakers bulls celtics knicks raiders patriots dolphins
dallas1 texas florida california london paris berlin tokyo newyork chicago boston miami vegas america usa
england france germany italy spain canada mexico brazil russia china india japan korea australia ireland
scotland wales africa europe asia moscow1 madrid1 rome sydney toronto vancouver dublin amsterdam
music guitar piano drums rock metal punk jazz blues hiphop rap dance disco party
summer2 sun moon star stars sky cloud rain snow storm thunder1 lightning fire water earth wind ice
ocean sea beach island river lake mountain forest tree garden
car cars ferrari porsche mercedes bmw audi toyota honda nissan ford chevy chevrolet mustang1 corvette camaro
harley1 yamaha suzuki kawasaki ducati jeep tesla volvo
magic wizard dragon1 unicorn phoenix legend hero superhero batman1 superman1 spiderman ironman hulk thor
captainamerica avengers marvel joker wolverine deadpool
secret1 private hidden password0 pass123 pass1234 mypass mypassword yourpassword newpassword oldpassword
letmein2 access1 enter open opensesame sesame master1 mastercard visa paypal amazon netflix spotify
school college university student teacher office work job business company manager boss
computer1 laptop desktop keyboard mouse1 monitor1 printer phone mobile tablet
coffee1 tea beer wine vodka whiskey tequila
winner champion victory success power strong strength freedom1 liberty justice peace
shadow1 ghost demon devil evil hell heaven1 angel1 saint spirit soul
silence darkness light bright shine
"""

NAMES = """
james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark donald
steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric
jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy christian keith roger terry
gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan billy joe bruce gabriel logan albert willie
alan juan wayne elijah randy roy vincent ralph eugene russell bobby mason philip louis
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley
kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy
angela shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet catherine
maria heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea
cheryl hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia
grace denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis
lori jasmine chloe mia ava ella lily zoe leah nina tina anna1 eva sofia lucas liam oliver leo max maxwell
buddy bailey bella molly lucy daisy sadie sophie chloe1 maggie1 coco rocky duke bear1 tucker jake toby oscar sam
smokey shadow2 princess2 ginger1 pepper1 oreo milo zeus luna nala simba
"""

KEYBOARD = """
qwerty qwertyu qwertyui qwertyuio asdfg asdfghj asdfghjk zxcvb zxcvbn1 qazwsx1 wsxedc edcrfv rfvtgb tgbyhn yhnujm
1qaz 2wsx 3edc 4rfv 5tgb 6yhn 7ujm 8ik 9ol 0p qweasdzxc1 zaqxsw cdevfr bgtnhy mjunhy
"""

def words(block):
    return [w.strip().lower() for w in block.split() if w.strip()]

entries = set()
for block in (TOP, WORDS, NAMES, KEYBOARD):
    entries.update(words(block))
# Each seed word with the most common decorations spelled out too: the policy's core check would catch them, but the
# list then also serves as a plain deny list for any other use.
bases = sorted(w for w in entries if w.isalpha() and len(w) >= 4)
for w in bases:
    for suffix in ("1", "12", "123", "1234", "!", "01", "69", "007", "2024", "2025"):
        entries.add(w + suffix)
    entries.add(w.capitalize())

out = pathlib.Path(__file__).resolve().parents[2] / "src/Gateway/Identity/Passwords/common-passwords.txt"
lines = sorted({e.lower() for e in entries})
out.write_text("# Generated by build/passwords/generate-common-passwords.py: weak passwords and password cores, one per line.\n"
               + "\n".join(lines) + "\n", encoding="utf-8")
print(f"{len(lines)} entries -> {out}")
