#pragma once

// AWS credentials and key encoding for layerscope_remote (private).

#include <string>
#include <string_view>

namespace layerscope::remote {

/// From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the AWS_PROFILE
/// (or "default") section of ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE); region from
/// AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1. Empty keys: anonymous.
struct Credentials
{
    std::string accessKey, secretKey, sessionToken, region;
};
Credentials awsCredentials();

/// An object key for a URL path: unreserved characters and '/' kept, the rest %XX.
std::string encodeKey(std::string_view key);

} // namespace layerscope::remote
