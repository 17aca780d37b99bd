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
