#!/bin/sh
# common-passwords.sh: makes db/common-passwords.txt, the passwords the portal
# refuses (auth_password_check).  Made from well-known patterns, not from a
# leaked list: common words and names (English and Polish), words followed by
# digits, years and "!", doubled words, keyboard walks, digit runs and
# repeats; in lower case (the check lower-cases the candidate), only those of
# 10 to 128 characters (shorter ones are refused for length anyway).
#
#   sh db/common-passwords.sh > db/common-passwords.txt
set -eu
gen() {
	words="password passw0rd p@ssw0rd p@ssword pass qwerty qwertyuiop qwertyui qwert asdfgh asdfghjkl zxcvbn zxcvbnm iloveyou iloveu princess sunshine football baseball basketball monkey dragon master letmein welcome admin administrator trustno1 shadow superman batman spiderman michael jennifer jordan hunter ranger buster soccer hockey harley charlie thomas tigger killer pepper ginger starwars whatever computer internet samsung freedom secret matrix summer winter spring autumn haslo haselko haslo123 kochanie kochamcie kocham zaq12wsx zaq1@wsx polska polska1 warszawa krakow wroclaw gdansk poznan lodz katowice szczecin lublin agnieszka katarzyna malgorzata malgosia monika marcin tomasz lukasz piotr pawel michal kasia ania asia basia magda ola ewa joanna karolina natalia paulina justyna misiek misiaczek slonko sloneczko skarbie kotek kotki myszka bartek mateusz kacper dawid jakub kuba szymon filip wojtek krzysiek adam adrian daniel kamil patryk sebastian grzegorz legia lech wisla cracovia okna okno drzwi framuga firma biuro sklep changeme default test testing qazwsx 1qaz2wsx q1w2e3r4 q1w2e3r4t5 1q2w3e4r 1q2w3e4r5t abc abcdef abcd1234 aa123456 access flower lovely loveme mustang maggie daniel1 jessica ashley bailey passport quality solo love hello hello123 hallo world google facebook apple microsoft linux windows ubuntu oracle cisco root toor system server office manager sales support service user guest demo sample temp temporary newpass newpassword mypassword yourpassword nopassword secret1 private public portal login logon signin account orange banana cherry lemon chocolate cookie cheese coffee pizza angel angels baby babygirl babyboy family friends forever purple yellow silver golden diamond money dollar euro zloty happy smile lucky magic music guitar piano rock metal heaven jesus jezus maryja bogdan bozena danuta elzbieta grazyna halina irena jadwiga janina krystyna teresa zofia andrzej jan jozef krzysztof stanislaw tadeusz wieslaw zbigniew ryszard jerzy kazimierz marek mariusz robert rafal artur damian dominik hubert igor konrad maciej norbert oskar przemek radek slawek wiktor zenek"
	seps=" . _ @ -"
	suffixes=" 1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890 ! 1! 12! 123! 1234! !! !@# 0 00 01 007 11 13 21 22 69 77 88 99 100 111 666 777 2020 2021 2022 2023 2024 2025 2026 2027 @123 #1 _123 .123 qwe abc xyz"
	for w in $words; do
		echo "$w"
		for s in $suffixes; do
			echo "$w$s"
		done
		echo "$w$w"
		echo "${w}${w}1"
		echo "my$w"
		echo "my${w}1"
		echo "${w}password"
		echo "ilove$w"
		echo "kocham$w"
	done
	# digits, keyboard walks, repeats
	for c in 0 1 2 3 4 5 6 7 8 9 a b c q x z; do
		for n in 10 11 12 14 16 20; do
			printf "%${n}s\n" "" | tr ' ' "$c"
		done
	done
	for s in 1234567890 0123456789 9876543210 0987654321 12345678910 123456789012 1234512345 1234567812345678 12341234 123123123 1231231231 123321123321 1122334455 11223344556677 1212121212 1010101010 6969696969 5555555555 2580258025 1357913579 147258369 1472583690 9638527410 7894561230 1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedcrfv qweasdzxc qweasdzxc123 zaq1xsw2cde3 qwertyuiopasdfghjkl qwertzuiop asdfghjkl; do
		echo "$s"
		echo "$s!"
	done
	# years and dates
	y=1950; while [ $y -le 2030 ]; do
		for w in haslo password kochanie polska qwerty iloveyou welcome summer winter okna; do
			echo "$w$y"
			echo "$w$y!"
		done
		y=$((y + 1))
	done
}
echo "# db/common-passwords.txt: made by db/common-passwords.sh; do not edit."
gen | tr "A-Z" "a-z" | awk 'length($0) >= 10 && length($0) <= 128' | LC_ALL=C sort -u
