#!/usr/bin/env python3
# Writes the feeds in this directory: one RSS 2.0 feed per legacy
# encoding, with no BOM, no XML declaration and (read from a file) no
# HTTP charset, so only detection can tell what they are. Each item is a
# sentence or two of real text in the language the encoding is for:
# detectors need some. tests/integration/t2011-encodings.sh decodes each
# file with Python's codec named by the file and compares with glean.
#   python3 tests/data/parse/encodings/gen.py   (from the top directory)
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FEEDS = {
    'euc-kr': ('서울 소식', [
        ('오늘 서울의 날씨', '오늘 서울의 날씨는 맑고 기온은 영상 십도입니다. 시민들은 한강 공원에서 산책을 즐겼습니다.'),
        ('대중교통 요금 인상', '서울시는 내년부터 대중교통 요금을 인상한다고 발표했습니다. 시민들의 반응은 엇갈리고 있습니다.'),
        ('새 도서관 개관', '강남구에 새로운 공공 도서관이 문을 열었습니다. 어린이를 위한 열람실도 마련되어 있습니다.')]),
    'shift_jis': ('東京のニュース', [
        ('新しい図書館が開館', '今日は東京で新しい図書館が開館しました。多くの市民が訪れ、本を読んだり勉強したりしていました。'),
        ('運賃の値上げ', '東京都は来年から公共交通機関の運賃を値上げすると発表しました。市民の反応はさまざまです。'),
        ('桜の開花', '気象庁は今年の桜の開花が例年より一週間早くなると予想しています。花見の計画を立てる人も増えています。')]),
    'euc-jp': ('大阪のニュース', [
        ('美術館が開館', '今日は大阪で新しい美術館が開館しました。多くの人々が訪れ、絵画や彫刻を楽しんでいました。'),
        ('運賃の値上げについて', '大阪府は来年から公共交通機関の運賃を値上げすると発表しました。住民の反応はさまざまです。'),
        ('台風の接近', '台風が週末に近畿地方へ接近する見込みです。気象台は早めの備えを呼びかけています。')]),
    'big5': ('台北新聞', [
        ('新圖書館開放', '台北市政府今天宣布，新的公共圖書館將於下個月正式開放。市民可以免費借閱書籍和雜誌。'),
        ('颱風警報', '颱風預計明天登陸臺灣東部，氣象局提醒民眾做好防颱準備，注意強風豪雨。'),
        ('夜市美食', '士林夜市的小吃攤販今年推出了許多新口味，吸引大批觀光客前往品嚐。')]),
    'gb2312': ('北京新闻', [
        ('新图书馆开放', '北京市政府今天宣布，新的公共图书馆将于下个月正式开放。市民可以免费借阅书籍和杂志。'),
        ('大雨预报', '气象台预计明天将有大雨，提醒市民出行注意安全，尽量乘坐公共交通工具。'),
        ('地铁新线路', '北京地铁的一条新线路今天开通运营，连接了城市东部和西部的几个主要商业区。')]),
    # GBK beyond GB2312: traditional characters and rare names (镕, 堃)
    'gbk': ('香港與北京新聞', [
        ('朱镕基訪問香港', '前總理朱镕基今天訪問香港，與當地商界人士會面，討論經濟發展和貿易合作的問題。'),
        ('王堃的新書', '作家王堃出版了一本關於傳統建築的新書，書中記錄了許多古老村莊的歷史和故事。'),
        ('天氣預報', '香港天文台預計本週末天氣晴朗，氣溫較高，提醒市民注意防暑和補充水分。')]),
    'koi8-r': ('Новости Москвы', [
        ('Открылась библиотека', 'Сегодня в Москве открылась новая библиотека. Жители города могут бесплатно брать книги и журналы.'),
        ('Проезд подорожает', 'Мэрия объявила, что со следующего года проезд в общественном транспорте подорожает.'),
        ('Погода на выходные', 'Синоптики обещают тёплую и солнечную погоду на выходных, без дождя и сильного ветра.')]),
    'windows-1251': ('Новини Києва', [
        ('Нова бібліотека', 'Сьогодні в Києві відкрилася нова бібліотека. Мешканці міста можуть безкоштовно брати книжки та журнали.'),
        ('Проїзд подорожчає', 'Міська рада оголосила, що з наступного року проїзд у громадському транспорті подорожчає.'),
        ('Погода', 'Синоптики обіцяють теплу й сонячну погоду на вихідних, без дощу та сильного вітру.')]),
    'iso-8859-2': ('Wiadomości z Krakowa', [
        ('Nowa biblioteka', 'Dziś w Krakowie otwarto nową bibliotekę. Mieszkańcy miasta mogą bezpłatnie wypożyczać książki i czasopisma.'),
        ('Droższe bilety', 'Urząd miasta ogłosił, że od przyszłego roku bilety komunikacji miejskiej będą droższe.'),
        ('Pogoda na weekend', 'Synoptycy zapowiadają słoneczną pogodę. W sobotę temperatura wzrośnie do dwudziestu pięciu stopni.')]),
    'windows-1252': ('Les nouvelles de Paris', [
        ('Le café rouvre', 'Le café de la place Saint-Michel a rouvert ses portes après les travaux. Les habitués sont ravis\u00a0: « C’est comme avant », disent-ils.'),
        ('Les tarifs augmentent', 'La mairie a annoncé que les tarifs des transports en commun augmenteront l’année prochaine — une décision très critiquée.'),
        ('Météo du week-end', 'Un week-end ensoleillé est prévu, avec des températures dépassant les vingt-cinq degrés. Le billet coûte 2 €.')]),
}

# English with a handful of bytes above ASCII: too few for a detector
# to tell Latin code pages apart (uchardet guesses ISO-8859-10 for the
# "ñ"), so windows-1252 must stay.
SPARSE = ('windows-1252-sparse', 'cp1252', ('Engineering notes', [
    ('Budget news', 'Our correspondent in España reports on the elections.'),
    ('Release', 'The release team published the new version today.'),
    ('Meeting', 'The weekly meeting moved to Thursday afternoon.')]))

def write(name, enc, title, items):
    x = ('<rss version="2.0">\n<channel>\n<title>%s</title>\n'
         '<link>http://example.com/%s/</link>\n' % (title, name))
    for i, (t, d) in enumerate(items):
        x += ('<item>\n<title>%s</title>\n<guid>http://example.com/%s/%d</guid>\n'
              '<description>%s</description>\n</item>\n' % (t, name, i, d))
    x += '</channel>\n</rss>\n'
    with open(os.path.join(HERE, name + '.xml'), 'wb') as f:
        f.write(x.encode(enc))

for enc, (title, items) in FEEDS.items():
    write(enc, enc, title, items)
write(SPARSE[0], SPARSE[1], *SPARSE[2])
