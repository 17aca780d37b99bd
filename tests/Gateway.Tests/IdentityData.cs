using Npgsql;
using Shop.Testing;

namespace Shop.Gateway.Tests;

/// <summary>Reads the gateway's identity schema directly, to prove what a refused request did not change.</summary>
public sealed class IdentityData(ShopCluster cluster)
{
    public async Task<long> AccountsWithEmail(string email) =>
        await Scalar<long>("select count(*) from identity.mt_doc_user where data ->> 'NormalizedEmail' = @value", email.ToLowerInvariant());

    public async Task<string[]> Roles(Guid userId) =>
        await Scalar<string[]>("select array(select jsonb_array_elements_text(data -> 'Roles')) from identity.mt_doc_user where id = @value", userId);

    public async Task<long> RefreshTokens(Guid userId) =>
        await Scalar<long>("select count(*) from identity.mt_doc_refreshtoken where data ->> 'UserId' = @value", userId.ToString());

    public async Task<long> ActiveRefreshTokens(Guid userId) =>
        await Scalar<long>("select count(*) from identity.mt_doc_refreshtoken where data ->> 'UserId' = @value and data ->> 'RevokedAt' is null",
            userId.ToString());

    public async Task<long> RefreshTokensWithId(string id) =>
        await Scalar<long>("select count(*) from identity.mt_doc_refreshtoken where id = @value", id);

    public async Task<bool> IsVerified(string normalizedEmail) =>
        await Scalar<bool>("select coalesce((select data ->> 'EmailVerifiedAt' is not null from identity.mt_doc_user where data ->> 'NormalizedEmail' = @value), false)",
            normalizedEmail);

    public async Task<Guid?> UserId(string normalizedEmail)
    {
        var id = await Scalar<object>("select coalesce((select id::text from identity.mt_doc_user where data ->> 'NormalizedEmail' = @value), '')", normalizedEmail);
        return Guid.TryParse((string)id, out var guid) ? guid : null;
    }

    public async Task<long> PendingVerifications(Guid userId) =>
        await Scalar<long>("select count(*) from identity.mt_doc_emailverification where data ->> 'UserId' = @value", userId.ToString());

    public async Task<long> RevokedAccessTokens(Guid userId) =>
        await Scalar<long>("select count(*) from identity.mt_doc_revokedaccesstoken where data ->> 'UserId' = @value", userId.ToString());

    /// <summary>Every account row, as text: what a refused request must leave exactly as it was.</summary>
    public async Task<string> AccountsSnapshot() =>
        await Scalar<string>("select coalesce(string_agg(id::text || ':' || data::text, '|' order by id), '') from identity.mt_doc_user where @value = @value", 1);

    public async Task<long> ExternalLogins(string subject) =>
        await Scalar<long>("select count(*) from identity.mt_doc_externallogin where id like '%|' || @value", subject);

    async Task<T> Scalar<T>(string sql, object value)
    {
        await using var connection = new NpgsqlConnection(cluster.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("value", value);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
