using Shop.InventoryService.Catalog;
using Shop.InventoryService.Stock;

namespace Shop.Benchmarks.InventorySearch;

/// <summary>
/// A deterministic catalog of realistic-looking products: names from adjectives, materials and nouns, descriptions of
/// 20-40 words from a shared vocabulary, 40 categories, prices 1-2000, created over a year, 3% inactive. A few marker
/// words appear in known proportions so that searches of every selectivity exist.
/// </summary>
public static class CatalogGenerator
{
    public const string RareWord = "zephyrine";     // 1 product in 10,000
    public const string UncommonWord = "quartzite"; // 1 in 100
    public const string CommonWord = "ceramic";     // a material: about 1 in 12 names

    static readonly string[] Adjectives =
    [
        "Classic", "Compact", "Deluxe", "Ergonomic", "Foldable", "Heavy-Duty", "Lightweight", "Modern", "Portable", "Premium",
        "Rustic", "Sleek", "Smart", "Sturdy", "Vintage", "Wireless", "Handmade", "Minimal", "Rugged", "Cozy",
    ];

    static readonly string[] Materials =
    [
        "Bamboo", "Ceramic", "Copper", "Cotton", "Glass", "Leather", "Linen", "Maple", "Oak", "Steel", "Walnut", "Wool",
    ];

    static readonly string[] Nouns =
    [
        "Backpack", "Blanket", "Bottle", "Bowl", "Chair", "Clock", "Cushion", "Desk", "Headphones", "Jacket", "Kettle",
        "Keyboard", "Lamp", "Mug", "Notebook", "Pan", "Pen", "Plate", "Rug", "Scarf", "Shelf", "Speaker", "Stool", "Table",
        "Teapot", "Tent", "Towel", "Tray", "Vase", "Wallet",
    ];

    static readonly string[] Vocabulary =
    (
        "a an and the with for of in on to from by durable everyday use comfortable design easy clean care gift home office " +
        "kitchen travel outdoor indoor quality crafted finish colour natural soft warm strong light weight size fits most " +
        "perfect ideal made sustainable materials hand wash dishwasher safe long lasting simple elegant style shape smooth " +
        "surface grip handle pocket storage space saving stackable adjustable height width depth inch centimetre pack set " +
        "pieces included replacement warranty year years customers love reliable tested certified premium grade sourced " +
        "responsibly local workshop family business since available several colours black white grey blue green red " +
        "neutral tone matte glossy textured brushed polished coating water resistant stain proof scratch heat cold"
    ).Split(' ');

    public static IEnumerable<(Product Product, StockItem Stock)> Generate(int count, int seed = 20261123)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var material = Materials[random.Next(Materials.Length)];
            var name = $"{Adjectives[random.Next(Adjectives.Length)]} {material} {Nouns[random.Next(Nouns.Length)]} {i % 997}";
            var words = Enumerable.Range(0, random.Next(20, 41)).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]).ToList();
            if (i % 10_000 == 1234)
                words.Insert(random.Next(words.Count), RareWord);
            if (i % 100 == 42)
                words.Insert(random.Next(words.Count), UncommonWord);
            var createdAt = start.AddMinutes(random.Next(0, 365 * 24 * 60));
            var id = Guid.NewGuid();
            var product = new Product
            {
                Id = id,
                Sku = $"BENCH-{i:D7}",
                Name = name,
                Description = string.Join(' ', words) + ".",
                Price = Math.Round((decimal)(1 + random.NextDouble() * 1999), 2),
                Currency = "EUR",
                Category = $"Category {i % 40:D2}",
                Active = random.Next(100) >= 3,
                CreatedAt = createdAt,
                UpdatedAt = createdAt,
            };
            yield return (product, new StockItem { Id = id, OnHand = random.Next(0, 500) });
        }
    }
}
