// Hands the signed SAML response to the app (HTTP-POST binding) as soon as the page loads.
document.getElementById('saml-post')?.submit();
